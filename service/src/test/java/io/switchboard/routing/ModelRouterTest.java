package io.switchboard.routing;

import io.switchboard.api.ApiException;
import io.switchboard.api.ErrorDetail;
import io.switchboard.api.Model;
import io.switchboard.provider.Capability;
import io.switchboard.provider.ModelInfo;
import io.switchboard.provider.Provider;
import io.switchboard.registry.ProviderState;
import io.switchboard.registry.ProviderStatus;
import io.switchboard.registry.RegistrySnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ModelRouterTest {

    private static final Map<String, RouteGroup> ALIASES = aliases(Map.of(
            "fast", "openai/gpt-4o-mini",
            "llama", "openrouter/meta-llama/llama-3-8b-instruct",
            "ghost", "openai/does-not-exist",
            "claude", "anthropic/claude-3-5-sonnet"));

    /**
     * In config order: openai lists its models (one only for embeddings); openrouter lists slashed
     * ids, an id that looks like openai's, and gpt-4o again; local lists nothing (any id passes);
     * anthropic is disabled; hf lists a slashed id whose prefix names no provider.
     */
    private static final RegistrySnapshot SNAPSHOT = snapshot(
            up(
                    "openai",
                    Set.of(Capability.CHAT, Capability.EMBEDDINGS, Capability.MODEL_LIST),
                    model("gpt-4o", 1715367049L, "system"),
                    model("gpt-4o-mini", 1721172741L, "system"),
                    model("gpt-4o", 1L, "duplicate listing"),
                    new ModelInfo("text-embedding-3-small", 1705948997L, "system", Set.of(Capability.EMBEDDINGS)),
                    new ModelInfo("dual", 1L, "openai", Set.of(Capability.EMBEDDINGS))),
            up(
                    "openrouter",
                    Set.of(Capability.CHAT, Capability.MODEL_LIST),
                    model("meta-llama/llama-3-8b-instruct", 1713398400L, "meta-llama"),
                    model("openai/gpt-4o", 2L, "openai"),
                    model("gpt-4o", 3L, "openrouter"),
                    model("dual", 4L, "openrouter")),
            up("local", Set.of(Capability.CHAT, Capability.IMAGES)),
            ProviderState.disabled(
                    "anthropic", "anthropic", "https://api.anthropic.com", "no API key (set ANTHROPIC_API_KEY)"),
            up(
                    "hf",
                    Set.of(Capability.CHAT, Capability.MODEL_LIST),
                    model("mistralai/Mistral-7B-Instruct-v0.3", 5L, "mistralai")));

    private final ModelRouter router = new ModelRouter(() -> SNAPSHOT, ALIASES, null);
    private final ModelRouter routerWithDefault = new ModelRouter(() -> SNAPSHOT, ALIASES, "local");

    @ParameterizedTest(name = "{0} ({1}) -> {2} / {3}")
    @CsvSource({
        // provider/model: split at the first slash when the prefix is a provider
        "openrouter/meta-llama/llama-3-8b-instruct, CHAT, openrouter, meta-llama/llama-3-8b-instruct",
        "openai/gpt-4o, CHAT, openai, gpt-4o",
        "openrouter/openai/gpt-4o, CHAT, openrouter, openai/gpt-4o",
        "openrouter/gpt-4o, CHAT, openrouter, gpt-4o",
        // a prefix that names no provider: the whole id is a bare id some provider lists
        "meta-llama/llama-3-8b-instruct, CHAT, openrouter, meta-llama/llama-3-8b-instruct",
        "mistralai/Mistral-7B-Instruct-v0.3, CHAT, hf, mistralai/Mistral-7B-Instruct-v0.3",
        // bare ids: the first provider in config order that lists it (and can do the job)
        "gpt-4o, CHAT, openai, gpt-4o",
        "gpt-4o-mini, CHAT, openai, gpt-4o-mini",
        "text-embedding-3-small, EMBEDDINGS, openai, text-embedding-3-small",
        "dual, EMBEDDINGS, openai, dual",
        "dual, CHAT, openrouter, dual",
        // aliases
        "fast, CHAT, openai, gpt-4o-mini",
        "llama, CHAT, openrouter, meta-llama/llama-3-8b-instruct",
        // a provider without a model list takes any id, slashes and all
        "local/anything-goes, CHAT, local, anything-goes",
        "local/org/model:latest, IMAGES, local, org/model:latest",
    })
    void resolves(String model, Capability capability, String provider, String upstreamModel) {
        for (ModelRouter each : List.of(router, routerWithDefault)) {
            Route route = each.resolve(model, capability);

            assertThat(route.requestedModel()).isEqualTo(model);
            assertThat(route.targets()).doesNotHaveDuplicates();
            assertThat(route.first().providerName()).isEqualTo(provider);
            assertThat(route.first().state())
                    .isSameAs(SNAPSHOT.provider(provider).orElseThrow());
            assertThat(route.first().upstreamModel()).isEqualTo(upstreamModel);
            assertThat(route.first().catalogId()).isEqualTo(provider + "/" + upstreamModel);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"qwen2.5:7b", "unknownorg/some-model", "GPT-4O", "/leading-slash"})
    void unlistedBareIdGoesToTheDefaultProviderUnchanged(String model) {
        Route route = routerWithDefault.resolve(model, Capability.CHAT);

        assertThat(route.first().providerName()).isEqualTo("local");
        assertThat(route.first().upstreamModel()).isEqualTo(model);
        assertThat(route.requestedModel()).isEqualTo(model);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"qwen2.5:7b", "unknownorg/some-model", "GPT-4O", "/leading-slash"})
    void unlistedBareIdWithoutDefaultIsNotFound(String model) {
        ApiException e = resolveFails(router, model, Capability.CHAT);

        assertThat(e.status()).isEqualTo(404);
        assertThat(e.detail().type()).isEqualTo(ErrorDetail.INVALID_REQUEST);
        assertThat(e.detail().param()).isEqualTo("model");
        assertThat(e.detail().code()).isEqualTo("model_not_found");
        assertThat(e.detail().message())
                .startsWith("The model '" + model + "' does not exist.")
                .endsWith("GET /v1/models lists the models available.");
    }

    @Test
    void nearMissSuggestsTheClosestModels() {
        ApiException e = resolveFails(router, "gpt-4p", Capability.CHAT);

        assertThat(e.status()).isEqualTo(404);
        assertThat(e.detail().code()).isEqualTo("model_not_found");
        assertThat(e.detail().message()).contains("Did you mean ").contains("openai/gpt-4o");
    }

    @Test
    void farMissSuggestsNothing() {
        ApiException e = resolveFails(router, "zzzzzzzzzzzzzzzzzzzz", Capability.CHAT);

        assertThat(e.status()).isEqualTo(404);
        assertThat(e.detail().message()).doesNotContain("Did you mean");
    }

    @Test
    void blankDefaultProviderMeansNone() {
        var blankDefault = new ModelRouter(() -> SNAPSHOT, ALIASES, "  ");
        assertThat(resolveFails(blankDefault, "qwen2.5:7b", Capability.CHAT).status())
                .isEqualTo(404);
    }

    @Test
    void disabledDefaultProviderIsNotUsed() {
        var disabledDefault = new ModelRouter(() -> SNAPSHOT, ALIASES, "anthropic");
        ApiException e = resolveFails(disabledDefault, "qwen2.5:7b", Capability.CHAT);

        assertThat(e.status()).isEqualTo(404);
        assertThat(e.detail().code()).isEqualTo("model_not_found");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"openai/gpt-5", "openai/", "hf/mistralai/other", "ghost", "openrouter/llama-3-8b-instruct"})
    void modelNotListedByTheNamedProviderIsNotFoundEvenWithADefault(String model) {
        for (ModelRouter each : List.of(router, routerWithDefault)) {
            ApiException e = resolveFails(each, model, Capability.CHAT);

            assertThat(e.status()).isEqualTo(404);
            assertThat(e.detail().param()).isEqualTo("model");
            assertThat(e.detail().code()).isEqualTo("model_not_found");
            assertThat(e.detail().message()).startsWith("The model '" + model + "' does not exist.");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"anthropic/claude-3-5-sonnet", "claude"})
    void disabledProviderIsNotFoundAndSaysWhy(String model) {
        for (ModelRouter each : List.of(router, routerWithDefault)) {
            ApiException e = resolveFails(each, model, Capability.CHAT);

            assertThat(e.status()).isEqualTo(404);
            assertThat(e.detail().code()).isEqualTo("model_not_found");
            assertThat(e.detail().message())
                    .contains("Provider 'anthropic' is disabled: no API key (set ANTHROPIC_API_KEY).");
        }
    }

    @ParameterizedTest(name = "{0} for {1}")
    @CsvSource({
        "openai/gpt-4o, IMAGES, images",
        "gpt-4o, IMAGES, images",
        "fast, IMAGES, images",
        "text-embedding-3-small, CHAT, chat completions",
        "openai/text-embedding-3-small, COMPLETIONS, text completions",
        "local/whatever, EMBEDDINGS, embeddings",
        "meta-llama/llama-3-8b-instruct, EMBEDDINGS, embeddings",
    })
    void missingCapabilityIsABadRequest(String model, Capability capability, String label) {
        ApiException e = resolveFails(router, model, capability);

        assertThat(e.status()).isEqualTo(400);
        assertThat(e.detail().type()).isEqualTo(ErrorDetail.INVALID_REQUEST);
        assertThat(e.detail().param()).isEqualTo("model");
        assertThat(e.detail().code()).isEqualTo("unsupported_model");
        assertThat(e.detail().message()).isEqualTo("The model '" + model + "' does not support " + label + ".");
    }

    @Test
    void defaultProviderPassThroughStillChecksTheCapability() {
        ApiException e = resolveFails(routerWithDefault, "some-new-model", Capability.EMBEDDINGS);

        assertThat(e.status()).isEqualTo(400);
        assertThat(e.detail().code()).isEqualTo("unsupported_model");
        assertThat(e.detail().message()).contains("does not support embeddings");
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   ", "\t"})
    void blankModelIsABadRequest(String model) {
        ApiException e = resolveFails(routerWithDefault, model, Capability.CHAT);

        assertThat(e.status()).isEqualTo(400);
        assertThat(e.detail().param()).isEqualTo("model");
        assertThat(e.detail().code()).isEqualTo("missing_required_parameter");
    }

    @Test
    void controlCharactersAreEscapedInTheMessage() {
        ApiException e = resolveFails(router, "gpt-4o\n\u001b[31m", Capability.CHAT);

        assertThat(e.detail().message())
                .startsWith("The model 'gpt-4o\\u000a\\u001b[31m' does not exist.")
                .doesNotContain("\n")
                .doesNotContain("\u001b");
    }

    @Test
    void hugeModelNameIsQuotedButBounded() {
        String model = "x".repeat(10_000);
        ApiException e = resolveFails(router, model, Capability.CHAT);

        assertThat(e.detail().message()).contains("'" + "x".repeat(256) + "…'").hasSizeLessThan(400);
    }

    @Test
    void modelsListsProviderModelIdsAndAliasesSortedWithoutDuplicates() {
        List<Model> models = router.models();

        assertThat(models)
                .extracting(Model::id)
                .containsExactly(
                        "fast",
                        "hf/mistralai/Mistral-7B-Instruct-v0.3",
                        "llama",
                        "openai/dual",
                        "openai/gpt-4o",
                        "openai/gpt-4o-mini",
                        "openai/text-embedding-3-small",
                        "openrouter/dual",
                        "openrouter/gpt-4o",
                        "openrouter/meta-llama/llama-3-8b-instruct",
                        "openrouter/openai/gpt-4o");
        assertThat(models)
                .extracting(Model::id)
                .isSorted()
                .doesNotHaveDuplicates()
                .noneMatch(id -> id.startsWith("anthropic/") || id.startsWith("local/"))
                .doesNotContain("ghost", "claude");
        assertThat(models).extracting(Model::object).containsOnly(Model.OBJECT);
    }

    @Test
    void modelsKeepTheFirstListingOfADuplicatedId() {
        Model gpt4o = router.models().stream()
                .filter(m -> m.id().equals("openai/gpt-4o"))
                .findFirst()
                .orElseThrow();
        assertThat(gpt4o).isEqualTo(Model.of("openai/gpt-4o", 1715367049L, "system"));
    }

    @Test
    void aliasesInTheListDescribeTheirTarget() {
        assertThat(router.models())
                .contains(Model.of("fast", 1721172741L, "system"), Model.of("llama", 1713398400L, "meta-llama"));
    }

    @Test
    void aliasThatShadowsAProviderModelIdIsListedOnce() {
        var shadowing = new ModelRouter(() -> SNAPSHOT, aliases(Map.of("openai/gpt-4o", "openrouter/gpt-4o")), null);

        List<String> ids = shadowing.models().stream().map(Model::id).toList();
        assertThat(ids).doesNotHaveDuplicates().contains("openai/gpt-4o");
    }

    @Test
    void modelsFollowTheCurrentSnapshot() {
        var current = new AtomicReference<>(snapshot(up("a", Set.of(Capability.CHAT), model("one", 1L, "a"))));
        var live = new ModelRouter(current::get, Map.of(), null);

        List<Model> first = live.models();
        assertThat(first).extracting(Model::id).containsExactly("a/one");
        assertThat(live.models()).as("cached for the same snapshot").isSameAs(first);

        current.set(snapshot(
                up("a", Set.of(Capability.CHAT), model("one", 1L, "a"), model("two", 2L, "a")),
                ProviderState.disabled("b", "openai", null, "no key")));
        assertThat(live.models()).extracting(Model::id).containsExactly("a/one", "a/two");
        assertThat(live.resolve("two", Capability.CHAT).first().catalogId()).isEqualTo("a/two");
    }

    @Test
    void emptyRegistryListsNothingAndFindsNothing() {
        var empty = new ModelRouter(RegistrySnapshot::empty, aliases(Map.of("fast", "openai/gpt-4o-mini")), null);

        assertThat(empty.models()).isEmpty();
        assertThat(empty.model("fast")).isEmpty();
        ApiException e = resolveFails(empty, "gpt-4o", Capability.CHAT);
        assertThat(e.status()).isEqualTo(404);
        assertThat(e.detail().message()).doesNotContain("Did you mean");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "fast, fast, 1721172741, system",
        "llama, llama, 1713398400, meta-llama",
        "openai/gpt-4o, openai/gpt-4o, 1715367049, system",
        "gpt-4o, gpt-4o, 1715367049, system",
        "openrouter/meta-llama/llama-3-8b-instruct, openrouter/meta-llama/llama-3-8b-instruct, 1713398400, meta-llama",
        "meta-llama/llama-3-8b-instruct, meta-llama/llama-3-8b-instruct, 1713398400, meta-llama",
        "openrouter/openai/gpt-4o, openrouter/openai/gpt-4o, 2, openai",
    })
    void modelDescribesAKnownId(String requested, String id, long created, String ownedBy) {
        assertThat(router.model(requested)).contains(Model.of(id, created, ownedBy));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @ValueSource(
            strings = {
                "nope",
                "ghost",
                "claude",
                "anthropic/claude-3-5-sonnet",
                "local/anything",
                "openai/gpt-5",
                "openai/",
                ""
            })
    void modelIsEmptyForAnUnknownId(String id) {
        assertThat(router.model(id)).isEmpty();
        // The default provider's pass-through routes unknown ids, but does not make them "known".
        assertThat(routerWithDefault.model(id)).isEmpty();
    }

    @Test
    void bareIdServedBySeveralTriesThoseKnownDownLast() {
        var all = Set.of(Capability.CHAT);
        var first = new ProviderState(
                "first",
                "fake",
                null,
                new FakeProvider("first", all),
                ProviderStatus.DOWN,
                List.of(model("shared", 1, "x")),
                "Cannot reach",
                null,
                null);
        var second = up("second", all, model("shared", 1, "x"));
        var third = up("third", all, model("shared", 1, "x"));
        var router = new ModelRouter(() -> snapshot(first, second, third), Map.of(), null);

        Route route = router.resolve("shared", Capability.CHAT);
        var executor = new RouteExecutor(
                null,
                new RouteSettings(java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(1)),
                new ResiliencePolicies(name -> ProviderPolicy.DEFAULT),
                RouteEvents.NONE);

        assertThat(route.targets()).extracting(Target::providerName).containsExactly("first", "second", "third");
        assertThat(executor.order(route)).extracting(Target::providerName).containsExactly("second", "third", "first");
    }

    private static Map<String, RouteGroup> aliases(Map<String, String> single) {
        var groups = new java.util.LinkedHashMap<String, RouteGroup>();
        single.forEach((alias, target) -> groups.put(alias, RouteGroup.single(target)));
        return groups;
    }

    private static ApiException resolveFails(ModelRouter router, String model, Capability capability) {
        ApiException e = catchThrowableOfType(ApiException.class, () -> router.resolve(model, capability));
        assertThat(e).as("resolve(%s, %s) should fail", model, capability).isNotNull();
        return e;
    }

    private static RegistrySnapshot snapshot(ProviderState... states) {
        return new RegistrySnapshot(Arrays.asList(states));
    }

    private static ProviderState up(String name, Set<Capability> capabilities, ModelInfo... models) {
        var provider = new FakeProvider(name, capabilities);
        return new ProviderState(
                name,
                provider.type(),
                provider.baseUrl(),
                provider,
                models.length == 0 ? ProviderStatus.UNKNOWN : ProviderStatus.UP,
                new ArrayList<>(List.of(models)),
                null,
                null,
                null);
    }

    private static ModelInfo model(String id, long created, String ownedBy) {
        return ModelInfo.of(id, created, ownedBy);
    }

    /** A provider that only names itself: routing never calls it. */
    private record FakeProvider(String name, Set<Capability> capabilities) implements Provider {

        @Override
        public String type() {
            return "fake";
        }

        @Override
        public String baseUrl() {
            return "https://" + name + ".test/v1";
        }
    }
}
