package io.switchboard.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.function.BiConsumer;

/**
 * Scripts a {@link FakeUpstream} to answer as a local LLM runtime does on the paths local
 * discovery reads: its OpenAI-compatible model list and what only it answers. The shapes follow
 * each runtime's source and documentation (Ollama's {@code /api/tags} and {@code /api/version},
 * LM Studio's {@code /api/v0/models} and {@code /api/v1/models}, llama.cpp server's {@code /props}
 * and {@code /health}, vLLM's {@code /version}), trimmed to a few fields each.
 */
public final class LocalRuntimes {

    private static final ObjectMapper JSON = new ObjectMapper();

    private LocalRuntimes() {}

    /** Ollama: {@code owned_by} is the model's namespace; {@code /api/tags} lists the pulled models. */
    public static void ollama(FakeUpstream upstream, String... models) {
        upstream.on("GET", "/v1/models", Behavior.json(200, modelList(models, (id, model) -> {
            model.put("created", 1731000000L);
            model.put("owned_by", "library");
        })));
        ollamaTags(upstream, models);
    }

    /** Ollama's own list of pulled models, {@code GET /api/tags}, and its {@code GET /api/version}. */
    public static void ollamaTags(FakeUpstream upstream, String... models) {
        ObjectNode tags = JSON.createObjectNode();
        ArrayNode list = tags.putArray("models");
        for (String id : models) {
            ObjectNode model = list.addObject();
            model.put("name", id);
            model.put("model", id);
            model.put("modified_at", "2025-05-01T10:00:00.000000+02:00");
            model.put("size", 2019393189L);
            model.put("digest", "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72");
            ObjectNode details = model.putObject("details");
            details.put("format", "gguf");
            details.put("family", "llama");
            details.put("parameter_size", "3.2B");
            details.put("quantization_level", "Q4_K_M");
        }
        upstream.on("GET", "/api/tags", Behavior.json(200, tags.toString()));
        upstream.on("GET", "/api/version", Behavior.json(200, "{\"version\":\"0.12.6\"}"));
    }

    /** LM Studio before 0.4: the OpenAI list with {@code owned_by: organization_owner}, and the v0 REST API. */
    public static void lmStudio(FakeUpstream upstream, String... models) {
        lmStudioOpenAiList(upstream, models);
        ObjectNode v0 = JSON.createObjectNode();
        v0.put("object", "list");
        ArrayNode data = v0.putArray("data");
        for (String id : models) {
            ObjectNode model = data.addObject();
            model.put("id", id);
            model.put("object", "model");
            model.put("type", "llm");
            model.put("publisher", "lmstudio-community");
            model.put("arch", "qwen2");
            model.put("compatibility_type", "gguf");
            model.put("quantization", "Q4_K_M");
            model.put("state", "not-loaded");
            model.put("max_context_length", 32768);
        }
        upstream.on("GET", "/api/v0/models", Behavior.json(200, v0.toString()));
    }

    /** LM Studio 0.4 and later as far as the v1 REST API goes (no v0 answer). */
    public static void lmStudioV1(FakeUpstream upstream, String... models) {
        lmStudioOpenAiList(upstream, models);
        ObjectNode v1 = JSON.createObjectNode();
        ArrayNode list = v1.putArray("models");
        for (String id : models) {
            ObjectNode model = list.addObject();
            model.put("type", "llm");
            model.put("publisher", "qwen");
            model.put("key", id);
            model.put("display_name", id);
            model.putArray("loaded_instances");
        }
        upstream.on("GET", "/api/v1/models", Behavior.json(200, v1.toString()));
    }

    private static void lmStudioOpenAiList(FakeUpstream upstream, String... models) {
        upstream.on(
                "GET",
                "/v1/models",
                Behavior.json(200, modelList(models, (id, model) -> model.put("owned_by", "organization_owner"))));
    }

    /** llama.cpp's {@code llama-server} with one model: {@code owned_by: llamacpp}, {@code /props}, {@code /health}. */
    public static void llamaCpp(FakeUpstream upstream, String model) {
        upstream.on("GET", "/v1/models", Behavior.json(200, modelList(new String[] {model}, (id, entry) -> {
            entry.put("created", 1735000000L);
            entry.put("owned_by", "llamacpp");
            ObjectNode meta = entry.putObject("meta");
            meta.put("vocab_type", 2);
            meta.put("n_vocab", 151936);
            meta.put("n_ctx_train", 32768);
        })));
        ObjectNode props = JSON.createObjectNode();
        ObjectNode settings = props.putObject("default_generation_settings");
        settings.put("n_ctx", 4096);
        settings.putObject("params").put("temperature", 0.8);
        props.put("total_slots", 1);
        props.put("model_path", "/models/" + model);
        props.put("chat_template", "{% for message in messages %}{{ message.content }}{% endfor %}");
        props.put("build_info", "b5000-abcdef12");
        upstream.on("GET", "/props", Behavior.json(200, props.toString()));
        upstream.on("GET", "/health", Behavior.json(200, "{\"status\":\"ok\"}"));
    }

    /** vLLM's OpenAI server: {@code owned_by: vllm} with {@code root} and {@code max_model_len}, and {@code /version}. */
    public static void vllm(FakeUpstream upstream, String model) {
        upstream.on("GET", "/v1/models", Behavior.json(200, modelList(new String[] {model}, (id, entry) -> {
            entry.put("created", 1735000000L);
            entry.put("owned_by", "vllm");
            entry.put("root", id);
            entry.putNull("parent");
            entry.put("max_model_len", 32768);
            entry.putArray("permission");
        })));
        upstream.on("GET", "/version", Behavior.json(200, "{\"version\":\"0.8.5\"}"));
    }

    private static String modelList(String[] ids, BiConsumer<String, ObjectNode> fields) {
        ObjectNode root = JSON.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (String id : ids) {
            ObjectNode model = data.addObject();
            model.put("id", id);
            model.put("object", "model");
            fields.accept(id, model);
        }
        return root.toString();
    }
}
