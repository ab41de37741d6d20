package io.switchboard.admin;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.switchboard.api.ApiException;
import io.switchboard.api.ErrorDetail;
import io.switchboard.api.ListResponse;
import io.switchboard.resources.ApiErrors;
import io.switchboard.store.VirtualKeyRecord;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * {@code /api/keys} on the admin port: create, list, show, update, revoke and rotate virtual keys.
 * A change reaches every gateway on the database within a second. Bad input is a 400 in OpenAI's
 * error shape naming the field, and nothing is stored.
 */
@Tag(name = "Admin: keys", description = "Virtual keys, on the admin port (127.0.0.1:8081 by default), under /api")
@Path("/keys")
@Produces(MediaType.APPLICATION_JSON)
public final class AdminKeysResource {

    /** A body larger than this is refused before it is parsed. */
    static final int MAX_BODY = 1 << 20;

    private static final Pattern ID = Pattern.compile("vk_[0-9a-f]{16}");

    private final KeyService keys;
    private final Function<VirtualKeyRecord, KeyView.Spend> spend;
    private final ObjectMapper mapper;
    private final Runnable changed;

    /**
     * @param spend   what a key spent in its budget's current window
     * @param changed told after every change, so this gateway applies it at once (others poll)
     */
    public AdminKeysResource(
            KeyService keys, Function<VirtualKeyRecord, KeyView.Spend> spend, ObjectMapper mapper, Runnable changed) {
        this.keys = keys;
        this.spend = spend;
        this.mapper = mapper;
        this.changed = changed;
    }

    @GET
    @Operation(
            operationId = "adminListKeys",
            summary = "List virtual keys",
            description = "Every key with its settings, its budget and what it spent in the current window. Secrets"
                    + " are never shown: `prefix` is their first characters.")
    @ApiResponse(responseCode = "200", description = "The keys")
    public ListResponse<KeyView> list(@QueryParam("include_revoked") boolean includeRevoked) {
        return ListResponse.of(keys.list(includeRevoked).stream()
                .map(key -> KeyView.of(key, spend.apply(key), null))
                .toList());
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "adminCreateKey",
            summary = "Create a virtual key",
            description = "The answer's `key` is the secret, shown this once; only its SHA-256 is stored.")
    @RequestBody(required = true, content = @Content(schema = @Schema(implementation = KeyInputSchema.class)))
    @ApiResponse(
            responseCode = "201",
            description = "The key, with its secret",
            content = @Content(schema = @Schema(implementation = KeyView.class)))
    @ApiErrors({400, 413})
    public Response create(@Parameter(hidden = true) InputStream body) {
        var issued = parse(body, input -> keys.create(input.toNewSettings()));
        changed.run();
        return Response.status(201)
                .entity(KeyView.of(issued.key(), spend.apply(issued.key()), issued.secret()))
                .build();
    }

    @GET
    @Path("/{id}")
    @Operation(operationId = "adminGetKey", summary = "Show a virtual key")
    @ApiResponse(responseCode = "200", description = "The key")
    @ApiErrors({404})
    public KeyView show(@PathParam("id") String id) {
        var key = keys.find(checkId(id)).orElseThrow(() -> notFound(id));
        return KeyView.of(key, spend.apply(key), null);
    }

    @PATCH
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "adminUpdateKey",
            summary = "Update a virtual key",
            description = "Changes only the fields the body names; `null` clears `budget_usd` or `expires_at`.")
    @RequestBody(required = true, content = @Content(schema = @Schema(implementation = KeyInputSchema.class)))
    @ApiResponse(responseCode = "200", description = "The key as it now is")
    @ApiErrors({400, 404, 413})
    public KeyView update(@PathParam("id") String id, @Parameter(hidden = true) InputStream body) {
        var current = keys.find(checkId(id)).orElseThrow(() -> notFound(id));
        var updated = parse(body, input -> keys.update(id, input.applyTo(current.settings())))
                .orElseThrow(() -> notFound(id));
        changed.run();
        return KeyView.of(updated, spend.apply(updated), null);
    }

    @POST
    @Path("/{id}/revoke")
    @Operation(
            operationId = "adminRevokeKey",
            summary = "Revoke a virtual key",
            description = "For good: a revoked key is refused within a second on every gateway. Its usage stays.")
    @ApiResponse(responseCode = "200", description = "The revoked key")
    @ApiErrors({404})
    public KeyView revoke(@PathParam("id") String id) {
        var key = keys.revoke(checkId(id)).orElseThrow(() -> notFound(id));
        changed.run();
        return KeyView.of(key, spend.apply(key), null);
    }

    @POST
    @Path("/{id}/rotate")
    @Operation(
            operationId = "adminRotateKey",
            summary = "Rotate a virtual key's secret",
            description = "A new secret (shown this once) for the same key, settings and spend; the old secret stops"
                    + " working within a second.")
    @ApiResponse(responseCode = "200", description = "The key, with its new secret")
    @ApiErrors({404})
    public KeyView rotate(@PathParam("id") String id) {
        var issued = keys.rotate(checkId(id)).orElseThrow(() -> notFound(id));
        changed.run();
        return KeyView.of(issued.key(), spend.apply(issued.key()), issued.secret());
    }

    private <T> T parse(InputStream body, Function<KeyInput, T> then) {
        JsonNode json;
        try {
            byte[] bytes = body.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw new ApiException(
                        413,
                        ErrorDetail.invalidRequest(
                                "The body is larger than " + MAX_BODY + " bytes", null, "request_too_large"));
            }
            // Strict: a body with anything after its JSON value ({"name":"a"} x) is not JSON either.
            json = mapper.reader()
                    .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .readTree(bytes);
        } catch (JacksonException e) {
            throw new ApiException(400, ErrorDetail.invalidRequest("The body is not valid JSON", null, "invalid_json"));
        } catch (IOException e) {
            throw new ApiException(400, ErrorDetail.invalidRequest("The body could not be read", null, null));
        }
        try {
            return then.apply(KeyInput.fromJson(json));
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            int colon = message.indexOf(':');
            String param = colon > 0 && KeyInput.FIELDS.contains(message.substring(0, colon))
                    ? message.substring(0, colon)
                    : null;
            throw new ApiException(400, ErrorDetail.invalidRequest(message, param, "invalid_value"));
        }
    }

    private static String checkId(String id) {
        if (!ID.matcher(id).matches()) {
            throw notFound(id);
        }
        return id;
    }

    private static ApiException notFound(String id) {
        String shown = id.length() > 40 ? id.substring(0, 40) + "…" : id;
        return new ApiException(
                404, ErrorDetail.invalidRequest("No key with the id '" + shown + "'", "id", "key_not_found"));
    }

    /** The body of create and update, for the OpenAPI document. */
    @Schema(name = "KeyInput")
    record KeyInputSchema(
            @Schema(
                    description = "A name for people: letters of any script, digits, spaces and - _ . : @ / + ( ) #",
                    maxLength = 200)
            String name,

            @Schema(description = "Labels such as team and owner; names and values as for `name`")
            java.util.Map<String, String> tags,

            @Schema(description = "Model globs the key may use (`*`, `?`); empty: all")
            java.util.List<String> models,

            @Schema(name = "budget_usd", description = "Dollars per period, up to six decimals", example = "50.00")
            String budgetUsd,

            @Schema(
                    name = "budget_period",
                    allowableValues = {"daily", "weekly", "monthly", "total"})
            String budgetPeriod,

            @Schema(description = "Requests per minute") Integer rpm,
            @Schema(description = "Tokens per minute") Integer tpm,

            @Schema(name = "expires_at", description = "A date (2027-01-01) or an instant")
            String expiresAt,

            Boolean enabled) {}
}
