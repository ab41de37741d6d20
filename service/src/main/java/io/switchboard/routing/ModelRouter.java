package io.switchboard.routing;

import io.switchboard.api.ApiException;
import io.switchboard.api.ErrorDetail;
import io.switchboard.api.Model;
import io.switchboard.api.Printable;
import io.switchboard.provider.Capability;
import io.switchboard.provider.ModelInfo;
import io.switchboard.registry.ProviderState;
import io.switchboard.registry.RegistrySnapshot;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Turns the model string a client sent into a {@link Route}, reading only the current registry
 * snapshot. In order: an alias; {@code provider/model} (split at the first slash, only when the
 * prefix names a provider); a bare id listed by a provider (config order); the default provider
 * with the id as it is; else 404 naming close matches.
 */
public final class ModelRouter {

    private static final int MAX_SUGGESTIONS = 3;

    private final Supplier<RegistrySnapshot> snapshots;
    private final Map<String, RouteGroup> aliases;
    private final String defaultProvider;
    private final AtomicReference<Catalog> catalog = new AtomicReference<>(new Catalog(null, List.of()));

    /**
     * @param aliases         public id → its targets ({@code provider/model} each) and strategy
     * @param defaultProvider the provider bare unknown ids go to, or null
     */
    public ModelRouter(Supplier<RegistrySnapshot> snapshots, Map<String, RouteGroup> aliases, String defaultProvider) {
        this.snapshots = snapshots;
        this.aliases = Map.copyOf(aliases);
        this.defaultProvider = defaultProvider == null || defaultProvider.isBlank() ? null : defaultProvider;
    }

    /** Resolves {@code model} to a route whose targets can do {@code capability}. */
    public Route resolve(String model, Capability capability) {
        if (model == null || model.isBlank()) {
            throw ApiException.badRequest("You must provide a model parameter.", "model", "missing_required_parameter");
        }
        var snapshot = snapshots.get();
        RouteGroup group = aliases.get(model);
        if (group != null) {
            return resolveAlias(snapshot, model, group, capability);
        }
        List<Target> targets = resolveId(snapshot, model, model, capability);
        requireCapability(model, targets.get(0), capability);
        return new Route(model, targets);
    }

    /**
     * An alias's targets that can serve now, in its order and with its weights. A target whose
     * provider is disabled or does not list the model is left out; the alias fails only when
     * none is left.
     */
    private Route resolveAlias(RegistrySnapshot snapshot, String alias, RouteGroup group, Capability capability) {
        var targets = new ArrayList<Target>();
        ApiException firstProblem = null;
        for (WeightedTarget wanted : group.targets()) {
            try {
                for (Target target : resolveId(snapshot, wanted.model(), alias, capability)) {
                    targets.add(Target.of(target.state(), target.upstreamModel(), wanted.weight()));
                }
            } catch (ApiException unavailable) {
                firstProblem = firstProblem != null ? firstProblem : unavailable;
            }
        }
        if (targets.isEmpty()) {
            throw firstProblem;
        }
        var capable = targets.stream()
                .filter(t -> t.state().supports(t.upstreamModel(), capability))
                .toList();
        if (capable.isEmpty()) {
            requireCapability(alias, targets.get(0), capability);
        }
        return new Route(alias, capable, group.strategy());
    }

    private static void requireCapability(String model, Target target, Capability capability) {
        if (!target.state().supports(target.upstreamModel(), capability)) {
            throw new ApiException(
                    400,
                    ErrorDetail.invalidRequest(
                            "The model '" + model + "' does not support " + capability.label() + ".",
                            "model",
                            "unsupported_model"));
        }
    }

    private List<Target> resolveId(RegistrySnapshot snapshot, String id, String requested, Capability capability) {
        int slash = id.indexOf('/');
        if (slash > 0) {
            var provider = snapshot.provider(id.substring(0, slash));
            if (provider.isPresent()) {
                return List.of(qualified(snapshot, provider.get(), id.substring(slash + 1), requested));
            }
        }
        List<ProviderState> serving = snapshot.servingModel(id);
        if (!serving.isEmpty()) {
            // Several providers may list the same id: those that can do the job, in config order
            // (RouteExecutor.order moves the ones whose last probe failed to the end).
            var targets = new ArrayList<Target>();
            for (ProviderState state : serving) {
                if (state.supports(id, capability)) {
                    targets.add(Target.of(state, id));
                }
            }
            return targets.isEmpty() ? List.of(Target.of(serving.get(0), id)) : targets;
        }
        if (defaultProvider != null) {
            var fallback = snapshot.provider(defaultProvider).filter(ProviderState::enabled);
            if (fallback.isPresent()) {
                return List.of(Target.of(fallback.get(), id));
            }
        }
        throw notFound(
                requested,
                snapshot,
                disabledDefault(snapshot).map(reason -> " " + reason).orElse(""));
    }

    /**
     * Why bare ids that no provider lists find nothing, when the default provider that would
     * take them is disabled: a sentence naming it and how to enable it. Empty otherwise.
     */
    public Optional<String> disabledDefaultProvider() {
        return disabledDefault(snapshots.get());
    }

    private Optional<String> disabledDefault(RegistrySnapshot snapshot) {
        if (defaultProvider == null) {
            return Optional.empty();
        }
        return snapshot.provider(defaultProvider)
                .filter(state -> !state.enabled())
                .map(state -> "The default provider '" + state.name() + "' is disabled: " + state.error() + ".");
    }

    private Target qualified(
            RegistrySnapshot snapshot, ProviderState provider, String upstreamModel, String requested) {
        if (!provider.enabled()) {
            throw notFound(
                    requested, snapshot, " Provider '" + provider.name() + "' is disabled: " + provider.error() + ".");
        }
        if (upstreamModel.isEmpty()
                || (provider.hasModelList() && provider.model(upstreamModel).isEmpty())) {
            throw notFound(requested, snapshot, "");
        }
        return Target.of(provider, upstreamModel);
    }

    /** The 404 for a model id that names nothing, with suggestions. */
    public ApiException notFound(String requested) {
        return notFound(requested, snapshots.get(), "");
    }

    private ApiException notFound(String requested, RegistrySnapshot snapshot, String reason) {
        var message = new StringBuilder("The model '")
                .append(Printable.of(requested, 256))
                .append("' does not exist.");
        message.append(reason);
        List<String> suggestions = suggest(requested, snapshot);
        if (!suggestions.isEmpty()) {
            message.append(" Did you mean ")
                    .append(String.join(", ", suggestions))
                    .append('?');
        }
        message.append(" GET /v1/models lists the models available.");
        return new ApiException(404, ErrorDetail.invalidRequest(message.toString(), "model", "model_not_found"));
    }

    /** The public model list: {@code provider/model} for every listed model, plus aliases, sorted. */
    public List<Model> models() {
        var snapshot = snapshots.get();
        var cached = catalog.get();
        if (cached.snapshot() == snapshot) {
            return cached.models();
        }
        var byId = new TreeMap<String, Model>();
        for (ProviderState state : snapshot.providers()) {
            if (state.enabled()) {
                for (ModelInfo model : state.models()) {
                    String id = state.name() + "/" + model.id();
                    byId.putIfAbsent(id, Model.of(id, model.created(), model.ownedBy()));
                }
            }
        }
        for (var alias : aliases.entrySet()) {
            describeAlias(snapshot, alias.getKey(), alias.getValue())
                    .ifPresent(model -> byId.putIfAbsent(alias.getKey(), model));
        }
        var models = List.copyOf(byId.values());
        catalog.set(new Catalog(snapshot, models));
        return models;
    }

    /** The model object for one id, as {@code GET /v1/models/{id}} shows it, if it is known. */
    public Optional<Model> model(String id) {
        var snapshot = snapshots.get();
        RouteGroup group = aliases.get(id);
        if (group != null) {
            return describeAlias(snapshot, id, group);
        }
        return listed(snapshot, id)
                .map(found ->
                        Model.of(id, found.model().created(), found.model().ownedBy()));
    }

    /** An alias is listed while one of its targets is; it shows the first such target's details. */
    private Optional<Model> describeAlias(RegistrySnapshot snapshot, String alias, RouteGroup group) {
        for (WeightedTarget target : group.targets()) {
            var found = listed(snapshot, target.model());
            if (found.isPresent()) {
                return Optional.of(Model.of(
                        alias,
                        found.get().model().created(),
                        found.get().model().ownedBy()));
            }
        }
        return Optional.empty();
    }

    /** The listed model an id names, without the default-provider pass-through. */
    private Optional<Listed> listed(RegistrySnapshot snapshot, String id) {
        int slash = id.indexOf('/');
        if (slash > 0) {
            var provider = snapshot.provider(id.substring(0, slash)).filter(ProviderState::enabled);
            if (provider.isPresent()) {
                return provider.get().model(id.substring(slash + 1)).map(model -> new Listed(provider.get(), model));
            }
        }
        return snapshot.servingModel(id).stream()
                .findFirst()
                .flatMap(state -> state.model(id).map(model -> new Listed(state, model)));
    }

    private List<String> suggest(String requested, RegistrySnapshot snapshot) {
        String wanted = requested.toLowerCase(Locale.ROOT);
        if (wanted.length() > 200) {
            return List.of();
        }
        var scored = new LinkedHashMap<String, Integer>();
        for (Model model : models()) {
            String id = model.id();
            String lower = id.toLowerCase(Locale.ROOT);
            String bare = lower.substring(lower.indexOf('/') + 1);
            int distance = Math.min(Levenshtein.distance(wanted, lower), Levenshtein.distance(wanted, bare));
            boolean contains = wanted.length() >= 3 && (lower.contains(wanted) || wanted.contains(bare));
            int threshold = Math.max(2, wanted.length() / 3);
            if (distance <= threshold || contains) {
                scored.put(id, contains ? Math.min(distance, 1) : distance);
            }
        }
        var ids = new ArrayList<>(scored.keySet());
        ids.sort(Comparator.comparing((String id) -> scored.get(id)).thenComparing(Comparator.naturalOrder()));
        return ids.subList(0, Math.min(MAX_SUGGESTIONS, ids.size()));
    }

    private record Listed(ProviderState provider, ModelInfo model) {}

    private record Catalog(RegistrySnapshot snapshot, List<Model> models) {}
}
