package io.switchboard.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.provider.ModelInfo;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The LLM runtimes local discovery knows, each with what only it answers: a model list on
 * {@code /v1/models} is not enough, since any OpenAI-compatible server (another gateway among
 * them) has one. A runtime is recognised when one of its {@link #probes} answers in its own shape
 * and, where the runtime stamps its models with its name ({@code owned_by}), every listed model
 * carries that stamp.
 *
 * <p>What each answers, from its source and documentation:
 * <ul>
 *   <li>Ollama: {@code GET /api/tags}, {@code {"models":[{"name":…,"digest":…,…}]}}; its
 *       {@code owned_by} is the model's namespace ({@code library}), so not a stamp;
 *   <li>LM Studio: {@code GET /api/v0/models}, {@code {"data":[{"id","type","state",…}]}}, or
 *       since 0.4 {@code GET /api/v1/models}, {@code {"models":[{"key","type",…}]}};
 *   <li>llama.cpp's server: {@code GET /props}, with {@code default_generation_settings} (or, in
 *       router mode, {@code "role":"router"}), and {@code owned_by: "llamacpp"};
 *   <li>vLLM: {@code GET /version}, {@code {"version":"0.…"}}, and {@code owned_by: "vllm"}.
 * </ul>
 * Probe paths are relative to the server's root: the base URL without its {@code /v1}.
 */
public enum RuntimeKind {
    OLLAMA(
            "ollama",
            null,
            new Probe(
                    "/api/tags",
                    "an Ollama model list",
                    body -> everyElement(
                            body.path("models"), model -> isText(model, "name") && isText(model, "digest")))),
    LMSTUDIO(
            "lmstudio",
            null,
            new Probe(
                    "/api/v0/models",
                    "an LM Studio model list",
                    body -> everyElement(
                            body.path("data"),
                            model -> isText(model, "id") && isText(model, "type") && isText(model, "state"))),
            new Probe(
                    "/api/v1/models",
                    "an LM Studio model list",
                    body -> everyElement(body.path("models"), model -> isText(model, "key") && isText(model, "type")))),
    LLAMACPP(
            "llamacpp",
            "llamacpp",
            new Probe(
                    "/props",
                    "llama.cpp server properties",
                    body -> body.path("default_generation_settings").isObject()
                            || "router".equals(body.path("role").asText(null)))),
    VLLM("vllm", "vllm", new Probe("/version", "a vLLM version", body -> isText(body, "version")));

    private final String id;
    private final String ownedBy;
    private final List<Probe> probes;

    RuntimeKind(String id, String ownedBy, Probe... probes) {
        this.id = id;
        this.ownedBy = ownedBy;
        this.probes = List.of(probes);
    }

    /** The name config.yml uses ({@code kind: llamacpp}), also the default runtimes' provider names. */
    public String id() {
        return id;
    }

    /** The requests that tell this runtime apart, tried in order: one answering in shape is enough. */
    public List<Probe> probes() {
        return probes;
    }

    /**
     * Why a model list is not this runtime's (a model not stamped with its {@code owned_by}), or
     * empty when it may be.
     */
    public Optional<String> refusesModels(List<ModelInfo> models) {
        if (ownedBy == null) {
            return Optional.empty();
        }
        return models.stream()
                .filter(model -> !ownedBy.equals(model.ownedBy()))
                .findFirst()
                .map(model ->
                        "its model '" + model.id() + "' is owned_by '" + model.ownedBy() + "', not '" + ownedBy + "'");
    }

    public static Optional<RuntimeKind> byId(String id) {
        if (id == null) {
            return Optional.empty();
        }
        String wanted = id.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(kind -> kind.id.equals(wanted)).findFirst();
    }

    /** The ids config.yml accepts, for messages: "ollama, lmstudio, llamacpp, vllm". */
    public static String ids() {
        return Arrays.stream(values()).map(RuntimeKind::id).collect(Collectors.joining(", "));
    }

    /**
     * The root a runtime's own API hangs off: the base URL without a trailing {@code /v1}, or
     * its scheme, host and port when the base URL has another path.
     */
    public static String rootOf(String baseUrl) {
        String url = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        if (url.endsWith("/v1")) {
            return url.substring(0, url.length() - "/v1".length());
        }
        var uri = java.net.URI.create(url);
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }

    private static boolean everyElement(JsonNode array, Predicate<JsonNode> shape) {
        if (!array.isArray()) {
            return false;
        }
        for (JsonNode element : array) {
            if (!shape.test(element)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isText(JsonNode node, String field) {
        return node.path(field).isTextual();
    }

    /**
     * One identifying request: {@code GET {root}{path}}, recognised when it answers 200 with a
     * JSON body that {@code shape} accepts.
     *
     * @param expected what a recognised answer is, for the log ("an Ollama model list")
     */
    public record Probe(String path, String expected, Predicate<JsonNode> shape) {}
}
