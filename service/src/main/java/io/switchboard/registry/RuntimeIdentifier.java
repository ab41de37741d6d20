package io.switchboard.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.provider.ModelInfo;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Tells whether the server that answered a model listing is the runtime it was looked for as:
 * asks what only that runtime answers ({@link RuntimeKind#probes()}), and whether it is a
 * Switchboard gateway, which is refused by name whatever else it answers.
 */
final class RuntimeIdentifier {

    /** Enough for llama.cpp's {@code /props}, which carries the model's chat template. */
    private static final int MAX_BODY_BYTES = 1024 * 1024;

    private final HttpClient http;
    private final ObjectMapper mapper;
    private final Duration timeout;

    RuntimeIdentifier(HttpClient http, ObjectMapper mapper, Duration timeout) {
        this.http = http;
        this.mapper = mapper;
        this.timeout = timeout;
    }

    /**
     * Why the server at {@code baseUrl}, which listed {@code models}, is not a {@code kind}
     * runtime; empty when it is. Never fails.
     */
    CompletableFuture<Optional<String>> refusal(RuntimeKind kind, String baseUrl, List<ModelInfo> models) {
        String root = RuntimeKind.rootOf(baseUrl);
        CompletableFuture<Optional<String>> gateway =
                get(baseUrl + "/providers").thenApply(answer -> switchboard(answer, models));
        var probes = kind.probes().stream()
                .map(probe -> get(root + probe.path()).thenApply(answer -> answer.judge(probe)))
                .toList();
        return CompletableFuture.allOf(probes.toArray(CompletableFuture[]::new))
                .thenCombine(gateway, (done, switchboard) -> {
                    if (switchboard.isPresent()) {
                        return switchboard;
                    }
                    Optional<String> stamp = kind.refusesModels(models);
                    if (stamp.isPresent()) {
                        return stamp;
                    }
                    var misses = new ArrayList<String>();
                    for (var probe : probes) {
                        String miss = probe.join();
                        if (miss == null) {
                            return Optional.<String>empty();
                        }
                        misses.add(miss);
                    }
                    return Optional.of(String.join("; ", misses));
                });
    }

    /**
     * A Switchboard answers {@code GET /v1/providers} with its providers, each with a name, type
     * and status, and prefixes its model ids with those names.
     */
    private static Optional<String> switchboard(Answer answer, List<ModelInfo> models) {
        JsonNode data = answer.json() == null ? null : answer.json().path("data");
        if (data == null || !data.isArray() || data.isEmpty()) {
            return Optional.empty();
        }
        Set<String> names = new HashSet<>();
        for (JsonNode provider : data) {
            if (!provider.path("name").isTextual()
                    || !provider.path("type").isTextual()
                    || !provider.path("status").isTextual()) {
                return Optional.empty();
            }
            names.add(provider.path("name").asText());
        }
        String prefixed = models.stream()
                .map(ModelInfo::id)
                .filter(id -> id.indexOf('/') > 0 && names.contains(id.substring(0, id.indexOf('/'))))
                .limit(3)
                .collect(Collectors.joining(", "));
        return Optional.of("it answers GET /v1/providers as a Switchboard gateway does"
                + (prefixed.isEmpty() ? "" : " and prefixes its model ids with provider names (" + prefixed + ")")
                + ": another gateway is never served as a local runtime");
    }

    /** One GET, bounded by the timeout; never fails, what went wrong is in the answer. */
    private CompletableFuture<Answer> get(String url) {
        var request = http.newRequest(url)
                .method(HttpMethod.GET)
                .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .headers(headers -> headers.put(HttpHeader.ACCEPT, "application/json"));
        String path = request.getPath();
        try {
            return new CompletableResponseListener(request, MAX_BODY_BYTES)
                    .send()
                    // off the client's I/O thread: what the caller chains on this may block
                    .handleAsync(
                            (response, failure) -> failure != null
                                    ? new Answer(
                                            path, 0, null, failure.getClass().getSimpleName())
                                    : read(path, response),
                            http.getExecutor());
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(new Answer(path, 0, null, e.toString()));
        }
    }

    private Answer read(String path, ContentResponse response) {
        if (response.getStatus() != 200) {
            return new Answer(path, response.getStatus(), null, null);
        }
        try {
            JsonNode json = mapper.readTree(response.getContent());
            return new Answer(path, 200, json != null && json.isObject() ? json : null, null);
        } catch (IOException notJson) {
            return new Answer(path, 200, null, null);
        }
    }

    /**
     * What one identifying request got: a status (0 when it failed) and the body when it was a
     * JSON object.
     */
    private record Answer(String path, int status, JsonNode json, String failure) {

        /** Null when the probe recognises the answer, otherwise why not. */
        String judge(RuntimeKind.Probe probe) {
            String asked = "GET " + path;
            if (failure != null) {
                return asked + " failed (" + failure + ")";
            }
            if (status != 200) {
                return asked + " answered " + status + ", not " + probe.expected();
            }
            if (json == null || !probe.shape().test(json)) {
                return asked + " answered something other than " + probe.expected();
            }
            return null;
        }
    }
}
