package io.switchboard.provider.azure;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code deployments:} of an Azure entry. Either a map of the public model id to the deployment
 * that serves it ({@code gpt-4o: prod-gpt4o}), or a list of deployment names that are also the
 * ids ({@code [gpt-4o, text-embedding-3-small]}). Order is kept: it is the order models are listed.
 */
public final class AzureDeployments {

    /** Azure's own rule for deployment names, so a typo fails at startup rather than as a 404 later. */
    private static final Pattern DEPLOYMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final Map<String, String> byModel;

    private AzureDeployments(Map<String, String> byModel) {
        this.byModel = Collections.unmodifiableMap(new LinkedHashMap<>(byModel));
    }

    public static AzureDeployments none() {
        return new AzureDeployments(Map.of());
    }

    public static AzureDeployments of(Map<String, String> byModel) {
        byModel.forEach(AzureDeployments::check);
        return new AzureDeployments(byModel);
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static AzureDeployments fromJson(JsonNode node) {
        var byModel = new LinkedHashMap<String, String>();
        if (node.isArray()) {
            for (JsonNode deployment : node) {
                if (!deployment.isTextual()) {
                    throw new IllegalArgumentException("deployments: each list entry must be a deployment name");
                }
                byModel.put(deployment.textValue(), deployment.textValue());
            }
        } else if (node.isObject()) {
            for (var field : node.properties()) {
                if (!field.getValue().isTextual()) {
                    throw new IllegalArgumentException("deployments." + field.getKey() + " must be a deployment name");
                }
                byModel.put(field.getKey(), field.getValue().textValue());
            }
        } else if (!node.isNull()) {
            throw new IllegalArgumentException(
                    "deployments must be a map of model id to deployment name, or a list of deployment names");
        }
        return of(byModel);
    }

    private static void check(String model, String deployment) {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("deployments: a model id must not be empty");
        }
        if (deployment == null || !DEPLOYMENT.matcher(deployment).matches()) {
            throw new IllegalArgumentException("deployments." + model + ": '" + deployment
                    + "' is not a deployment name (letters, digits, '.', '_' or '-', at most 64)");
        }
    }

    /** Public model id → deployment name, in configured order. */
    @JsonValue
    public Map<String, String> byModel() {
        return byModel;
    }

    @Override
    public String toString() {
        return byModel.toString();
    }
}
