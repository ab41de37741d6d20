package io.switchboard.registry;

import io.switchboard.provider.Capability;
import io.switchboard.provider.ModelInfo;
import io.switchboard.provider.Provider;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One provider as of one snapshot: the instance (null when disabled), its status, its models and
 * how the last discovery went. Immutable.
 */
public final class ProviderState {

    private final String name;
    private final String type;
    private final String baseUrl;
    private final Provider provider;
    private final ProviderStatus status;
    private final List<ModelInfo> models;
    private final Map<String, ModelInfo> modelsById;
    private final String error;
    private final Duration latency;
    private final Instant checkedAt;

    /**
     * @param models    what discovery (or the config) found; empty when nothing is known, in
     *                  which case any model id is passed to the provider unchecked
     * @param error     why it is down or disabled, for operators; never contains a key
     * @param latency   how long the last discovery took, or null
     * @param checkedAt when the last discovery finished, or null
     */
    public ProviderState(
            String name,
            String type,
            String baseUrl,
            Provider provider,
            ProviderStatus status,
            List<ModelInfo> models,
            String error,
            Duration latency,
            Instant checkedAt) {
        this.name = name;
        this.type = type;
        this.baseUrl = baseUrl;
        this.provider = provider;
        this.status = status;
        this.models = List.copyOf(models);
        var index = new LinkedHashMap<String, ModelInfo>();
        for (ModelInfo model : this.models) {
            index.putIfAbsent(model.id(), model);
        }
        this.modelsById = Map.copyOf(index);
        this.error = error;
        this.latency = latency;
        this.checkedAt = checkedAt;
    }

    /** The same state around another instance (a decorated one). */
    public ProviderState withProvider(Provider other) {
        return new ProviderState(name, type, baseUrl, other, status, models, error, latency, checkedAt);
    }

    public static ProviderState disabled(String name, String type, String baseUrl, String reason) {
        return new ProviderState(name, type, baseUrl, null, ProviderStatus.DISABLED, List.of(), reason, null, null);
    }

    public String name() {
        return name;
    }

    public String type() {
        return type;
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** The instance, or null when disabled. */
    public Provider provider() {
        return provider;
    }

    public ProviderStatus status() {
        return status;
    }

    public List<ModelInfo> models() {
        return models;
    }

    public String error() {
        return error;
    }

    public Duration latency() {
        return latency;
    }

    public Instant checkedAt() {
        return checkedAt;
    }

    public boolean enabled() {
        return provider != null;
    }

    /** True when the provider published a list of models, so ids can be checked against it. */
    public boolean hasModelList() {
        return !models.isEmpty();
    }

    public Optional<ModelInfo> model(String id) {
        return Optional.ofNullable(modelsById.get(id));
    }

    /** Whether {@code modelId} may do {@code capability} here (unknown models: the provider's word). */
    public boolean supports(String modelId, Capability capability) {
        if (provider == null) {
            return false;
        }
        ModelInfo model = modelsById.get(modelId);
        return model != null
                ? model.supports(capability, provider.capabilities())
                : provider.capabilities().contains(capability);
    }

    @Override
    public String toString() {
        return "ProviderState[" + name + ", " + type + ", " + status + ", " + models.size() + " models]";
    }
}
