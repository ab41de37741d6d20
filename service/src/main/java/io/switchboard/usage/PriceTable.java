package io.switchboard.usage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prices by model: the table shipped in the jar ({@code prices.json} beside this class, with its
 * date and sources) and the operator's overrides from config.yml. Nothing is fetched at run time.
 *
 * <p>{@link #find(String, String)} looks a model up, first match wins:
 * <ol>
 *   <li>an override for {@code provider/model} exactly;</li>
 *   <li>an override for {@code provider/*} (every model of a provider: a local runtime is free);</li>
 *   <li>a table entry keyed {@code provider/model} (the builtin provider's models);</li>
 *   <li>a table entry keyed by the upstream model id, exactly (any provider serving
 *       {@code gpt-4o} is priced as OpenAI prices it; an operator whose Azure deployment costs
 *       more overrides it);</li>
 *   <li>the model id with a date suffix ({@code -2024-08-06}, {@code -20250514}) taken off, when
 *       the entry lists that date among its {@code snapshots}, i.e. the table says the dated
 *       version costs the same;</li>
 * </ol>
 * else the price is unknown. Immutable; safe to share between threads.
 */
public final class PriceTable {

    /** The table shipped in the jar. */
    public static final String RESOURCE = "prices.json";

    private static final Pattern DATED = Pattern.compile("(.+)-(\\d{4}-\\d{2}-\\d{2}|\\d{8})");
    private static final Set<String> TOP_KEYS = Set.of("date", "currency", "unit", "notes", "sources", "models");
    private static final Set<String> SOURCE_KEYS = Set.of("url", "read", "how");
    private static final Set<String> ENTRY_KEYS = Set.of(
            "source",
            "input",
            "output",
            "cachedRead",
            "cacheWrite",
            "cacheWrite1h",
            "snapshots",
            "longContext",
            "note");
    private static final Set<String> LONG_CONTEXT_KEYS =
            Set.of("above", "input", "output", "cachedRead", "cacheWrite", "cacheWrite1h");

    private final LocalDate date;
    private final Map<String, Source> sources;
    private final Map<String, Entry> entries;
    private final Map<String, ModelPrice> overrides;

    private PriceTable(
            LocalDate date,
            Map<String, Source> sources,
            Map<String, Entry> entries,
            Map<String, ModelPrice> overrides) {
        this.date = date;
        this.sources = Collections.unmodifiableMap(new LinkedHashMap<>(sources));
        this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        this.overrides = Map.copyOf(overrides);
    }

    /** The table shipped in the jar; a broken table is a build error, so it throws. */
    public static PriceTable shipped(ObjectMapper json) {
        try (InputStream in = PriceTable.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("The price table " + RESOURCE + " is missing from the jar");
            }
            return parse(json.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the price table " + RESOURCE, e);
        }
    }

    /**
     * A table from its JSON, read strictly: an unknown key, a missing source, a price with more
     * than six decimals or a bad date fails with a message naming the entry.
     */
    public static PriceTable parse(JsonNode root) {
        requireObject(root, "the price table");
        onlyKeys(root, TOP_KEYS, "the price table");
        LocalDate date = date(root.get("date"), "the price table's date");
        var sources = new LinkedHashMap<String, Source>();
        JsonNode sourceNodes = requireObject(root.get("sources"), "sources");
        for (Iterator<Map.Entry<String, JsonNode>> it = sourceNodes.fields(); it.hasNext(); ) {
            var field = it.next();
            String where = "source " + field.getKey();
            JsonNode node = requireObject(field.getValue(), where);
            onlyKeys(node, SOURCE_KEYS, where);
            sources.put(
                    field.getKey(),
                    new Source(
                            text(node.get("url"), where + " url"),
                            date(node.get("read"), where + " read"),
                            text(node.get("how"), where + " how")));
        }
        var entries = new LinkedHashMap<String, Entry>();
        JsonNode models = requireObject(root.get("models"), "models");
        for (Iterator<Map.Entry<String, JsonNode>> it = models.fields(); it.hasNext(); ) {
            var field = it.next();
            entries.put(field.getKey(), entry(field.getKey(), field.getValue(), sources));
        }
        return new PriceTable(date, sources, entries, Map.of());
    }

    /**
     * This table with the operator's overrides, keyed {@code provider/model} or {@code provider/*}.
     * They replace whatever the table says for that provider's models, entirely: an override
     * without a cache-read price makes cached requests of that model unknown, not table-priced.
     */
    public PriceTable withOverrides(Map<String, ModelPrice> overrides) {
        for (String key : overrides.keySet()) {
            int slash = key.indexOf('/');
            if (slash <= 0 || slash == key.length() - 1) {
                throw new IllegalArgumentException("price override '" + key + "' is not provider/model or provider/*");
            }
        }
        return new PriceTable(date, sources, entries, overrides);
    }

    /** The date the table's prices were read. */
    public LocalDate date() {
        return date;
    }

    /** Where the prices come from, by the key entries name as their {@code source}. */
    public Map<String, Source> sources() {
        return sources;
    }

    /** Every table entry's price by its key, in the file's order; overrides not included. */
    public Map<String, ModelPrice> entries() {
        var out = new LinkedHashMap<String, ModelPrice>();
        entries.forEach((key, entry) -> out.put(key, entry.price()));
        return Collections.unmodifiableMap(out);
    }

    /** The overrides from config.yml, by key. */
    public Map<String, ModelPrice> overrides() {
        return overrides;
    }

    /**
     * The price of {@code model} as served by {@code provider}.
     *
     * @param provider the provider's configured name ({@code openai}, {@code builtin}, …)
     * @param model    the upstream model id, without the provider prefix ({@code gpt-4o-2024-08-06})
     */
    public Optional<ModelPrice> find(String provider, String model) {
        if (provider == null || model == null || model.isEmpty()) {
            return Optional.empty();
        }
        ModelPrice override = overrides.get(provider + "/" + model);
        if (override == null) {
            override = overrides.get(provider + "/*");
        }
        if (override != null) {
            return Optional.of(override);
        }
        Entry byProvider = entries.get(provider + "/" + model);
        if (byProvider != null) {
            return Optional.of(byProvider.price());
        }
        Entry exact = entries.get(model);
        if (exact != null) {
            return Optional.of(exact.price());
        }
        Matcher dated = DATED.matcher(model);
        if (dated.matches()) {
            Entry base = entries.get(dated.group(1));
            if (base != null && base.snapshots().contains(dated.group(2))) {
                return Optional.of(base.price());
            }
        }
        return Optional.empty();
    }

    /** A place the prices were read from. */
    public record Source(String url, LocalDate read, String how) {}

    private record Entry(ModelPrice price, List<String> snapshots) {}

    private static Entry entry(String key, JsonNode value, Map<String, Source> sources) {
        String where = "price of " + key;
        JsonNode node = requireObject(value, where);
        onlyKeys(node, ENTRY_KEYS, where);
        String source = text(node.get("source"), where + ": source");
        if (!sources.containsKey(source)) {
            throw new IllegalArgumentException(where + ": source '" + source + "' is not among the sources");
        }
        Rates rates = rates(node, key);
        if (rates.input().isEmpty()) {
            throw new IllegalArgumentException(where + ": an input price is required");
        }
        Optional<ModelPrice.LongContext> longContext = Optional.empty();
        if (node.has("longContext")) {
            JsonNode tier = requireObject(node.get("longContext"), where + ": longContext");
            onlyKeys(tier, LONG_CONTEXT_KEYS, where + ": longContext");
            JsonNode above = tier.get("above");
            if (above == null || !above.isIntegralNumber() || above.asLong() <= 0) {
                throw new IllegalArgumentException(where + ": longContext.above must be a positive token count");
            }
            longContext = Optional.of(new ModelPrice.LongContext(above.asLong(), rates(tier, key + " longContext")));
        }
        var snapshots = new ArrayList<String>();
        if (node.has("snapshots")) {
            JsonNode list = node.get("snapshots");
            if (!list.isArray()) {
                throw new IllegalArgumentException(where + ": snapshots must be a list of dates");
            }
            for (JsonNode snapshot : list) {
                String text = snapshot.asText("");
                if (!text.matches("\\d{4}-\\d{2}-\\d{2}|\\d{8}")) {
                    throw new IllegalArgumentException(
                            where + ": snapshot '" + text + "' is not a date suffix (2024-08-06 or 20250514)");
                }
                snapshots.add(text);
            }
        }
        return new Entry(new ModelPrice(key, source, rates, longContext), List.copyOf(snapshots));
    }

    private static Rates rates(JsonNode node, String where) {
        return new Rates(
                price(node, "input", where),
                price(node, "output", where),
                price(node, "cachedRead", where),
                price(node, "cacheWrite", where),
                price(node, "cacheWrite1h", where));
    }

    /** Prices are strings so that no float ever holds one; a missing or null price is unknown. */
    private static OptionalLong price(JsonNode node, String name, String where) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return OptionalLong.empty();
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException(
                    where + " " + name + ": write prices as strings (\"2.50\"), not numbers");
        }
        return OptionalLong.of(Micros.parsePrice(value.asText(), where + " " + name));
    }

    private static JsonNode requireObject(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(where + " must be an object");
        }
        return node;
    }

    private static void onlyKeys(JsonNode node, Set<String> allowed, String where) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new IllegalArgumentException(where + ": unknown key '" + name + "'");
            }
        }
    }

    private static String text(JsonNode node, String where) {
        if (node == null || !node.isTextual() || node.asText().isBlank()) {
            throw new IllegalArgumentException(where + " is required");
        }
        return node.asText();
    }

    private static LocalDate date(JsonNode node, String where) {
        String text = text(node, where);
        try {
            return LocalDate.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(where + ": '" + text + "' is not a date (2026-12-03)", e);
        }
    }
}
