package io.switchboard.it;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), enough to check that
 * what the gateway serves parses and to look samples up by name and labels.
 */
final class PrometheusText {

    private final List<Sample> samples;

    private PrometheusText(List<Sample> samples) {
        this.samples = samples;
    }

    record Sample(String name, Map<String, String> labels, double value) {}

    /** Parses every line; fails the test on a line that is not a comment, blank, or a valid sample. */
    static PrometheusText parse(String text) {
        var samples = new ArrayList<Sample>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                if (line.startsWith("# TYPE ")) {
                    assertThat(line.split(" ")).as(line).hasSize(4);
                }
                continue;
            }
            samples.add(sample(line));
        }
        return new PrometheusText(samples);
    }

    private static Sample sample(String line) {
        int brace = line.indexOf('{');
        int space = line.lastIndexOf(' ');
        assertThat(space).as("a value in: " + line).isPositive();
        String name = brace >= 0 && brace < space ? line.substring(0, brace) : line.substring(0, space);
        assertThat(name).as(line).matches("[a-zA-Z_:][a-zA-Z0-9_:]*");
        var labels = new LinkedHashMap<String, String>();
        if (brace >= 0 && brace < space) {
            int close = line.lastIndexOf('}');
            parseLabels(line.substring(brace + 1, close), labels, line);
        }
        return new Sample(name, labels, Double.parseDouble(line.substring(space + 1)));
    }

    private static void parseLabels(String text, Map<String, String> labels, String line) {
        int i = 0;
        while (i < text.length()) {
            int equals = text.indexOf('=', i);
            String key = text.substring(i, equals);
            assertThat(key).as(line).matches("[a-zA-Z_][a-zA-Z0-9_]*");
            assertThat(text.charAt(equals + 1)).as(line).isEqualTo('"');
            var value = new StringBuilder();
            int j = equals + 2;
            while (text.charAt(j) != '"') {
                char c = text.charAt(j);
                if (c == '\\') {
                    j++;
                    c = text.charAt(j) == 'n' ? '\n' : text.charAt(j);
                }
                value.append(c);
                j++;
            }
            labels.put(key, value.toString());
            i = j + 1;
            if (i < text.length() && text.charAt(i) == ',') {
                i++;
            }
        }
    }

    /** The value of the one sample with this name whose labels include {@code labels}; 0 when none. */
    double value(String name, Map<String, String> labels) {
        var matching = samples.stream()
                .filter(sample -> sample.name().equals(name))
                .filter(sample -> sample.labels().entrySet().containsAll(labels.entrySet()))
                .toList();
        assertThat(matching.size())
                .as(name + labels + " matches at most one sample")
                .isLessThanOrEqualTo(1);
        return matching.isEmpty() ? 0 : matching.get(0).value();
    }

    /** How much {@link #value} grew since an {@code earlier} scrape (a counter's increase). */
    double since(PrometheusText earlier, String name, Map<String, String> labels) {
        return value(name, labels) - earlier.value(name, labels);
    }

    /** Every sample with this name. */
    List<Sample> samples(String name) {
        return samples.stream().filter(sample -> sample.name().equals(name)).toList();
    }

    /** The sum of every sample with this name whose labels include {@code labels}. */
    double sum(String name, Map<String, String> labels) {
        return samples.stream()
                .filter(sample -> sample.name().equals(name))
                .filter(sample -> sample.labels().entrySet().containsAll(labels.entrySet()))
                .mapToDouble(Sample::value)
                .sum();
    }

    Set<String> names() {
        var names = new TreeSet<String>();
        samples.forEach(sample -> names.add(sample.name()));
        return names;
    }

    Set<String> labelValues(String label) {
        var values = new TreeSet<String>();
        samples.forEach(sample -> {
            String value = sample.labels().get(label);
            if (value != null) {
                values.add(value);
            }
        });
        return values;
    }
}
