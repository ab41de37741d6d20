package io.switchboard.provider.builtin;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeName;
import io.dropwizard.util.Duration;
import io.switchboard.provider.Provider;
import io.switchboard.provider.ProviderContext;
import io.switchboard.provider.ProviderFactory;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import java.util.Optional;

/**
 * {@code type: builtin}: the offline provider. It answers without any network, so a fresh
 * checkout works, demos run on a plane, and load tests have an upstream that is never the
 * bottleneck.
 */
@JsonTypeName("builtin")
public class BuiltinProviderFactory implements ProviderFactory {

    @NotEmpty
    @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._-]*", message = "must be letters, digits, '.', '_' or '-' (no '/')")
    @JsonProperty
    private String name = "builtin";

    /** Pause between streamed words, like a model producing tokens. Zero streams at once. */
    @NotNull
    @JsonProperty
    private Duration streamDelay = Duration.milliseconds(20);

    @Min(1)
    @Max(4096)
    @JsonProperty
    private int embeddingDimensions = 256;

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return "builtin";
    }

    @Override
    public Optional<String> disabledReason() {
        return Optional.empty();
    }

    @Override
    public Provider build(ProviderContext context) {
        return new BuiltinProvider(
                name, streamDelay.toJavaDuration(), embeddingDimensions, context.scheduler(), context.executor());
    }
}
