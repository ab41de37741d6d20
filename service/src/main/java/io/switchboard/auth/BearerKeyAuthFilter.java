package io.switchboard.auth;

import io.dropwizard.auth.AuthFilter;
import io.switchboard.api.ApiException;
import io.switchboard.api.ErrorDetail;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;

import java.util.Map;

/**
 * Lets a request through only with {@code Authorization: Bearer <key>} for one of the gateway's
 * keys, which is what the OpenAI SDKs send, or with {@code x-api-key: <key>}, which is what
 * Anthropic's SDKs and Claude Code send. A dropwizard-auth {@link AuthFilter}, written out
 * rather than built with {@code OAuthCredentialAuthFilter} because that one also takes the key
 * from an {@code access_token} query parameter, and query strings end up in access logs.
 *
 * <p>Refusals are 401s in OpenAI's words and shape, with code {@code invalid_api_key}; they never
 * quote the key that was sent. On success the key's id is set as the request attribute
 * {@value #KEY_ID_PROPERTY} for the access log.
 */
@Priority(Priorities.AUTHENTICATION)
public final class BearerKeyAuthFilter extends AuthFilter<String, ApiKeyPrincipal> {

    public static final String KEY_ID_PROPERTY = "switchboard.apiKey";
    static final String SCHEME = "Bearer";
    /** The header Anthropic's clients send their key in; accepted when there is no Bearer credential. */
    public static final String API_KEY_HEADER = "x-api-key";

    private static final Map<String, String> CHALLENGE =
            Map.of(HttpHeaders.WWW_AUTHENTICATE, SCHEME + " realm=\"switchboard\"");

    private final GatewayKeys keys;

    public BearerKeyAuthFilter(ApiKeys keys) {
        this(new GatewayKeys(keys, KeyDirectory.NONE));
    }

    public BearerKeyAuthFilter(GatewayKeys keys) {
        this.keys = keys;
        this.authenticator = keys;
        this.prefix = SCHEME;
        this.realm = "switchboard";
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (keys.isEmpty()) {
            return; // no key exists (yet): the API is open, as without keys in config.yml
        }
        String key = bearerToken(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (key == null) {
            key = apiKeyHeader(request.getHeaderString(API_KEY_HEADER));
        }
        if (key == null) {
            throw refusal("You didn't provide an API key. You need to provide your API key in an Authorization"
                    + " header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or in an x-api-key header.");
        }
        if (!authenticate(request, key, SCHEME)) {
            throw refusal("Incorrect API key provided. Ask the operator of this gateway for a valid key.");
        }
        request.setProperty(
                KEY_ID_PROPERTY, request.getSecurityContext().getUserPrincipal().getName());
    }

    /** The key in {@value #API_KEY_HEADER} (how Anthropic's SDKs send it), or null when there is none. */
    static String apiKeyHeader(String header) {
        if (header == null) {
            return null;
        }
        String key = header.strip();
        return key.isEmpty() ? null : key;
    }

    /** The token of a {@code Bearer} credential, or null when there is none. */
    static String bearerToken(String header) {
        if (header == null) {
            return null;
        }
        String value = header.strip();
        if (value.length() <= SCHEME.length()
                || !value.regionMatches(true, 0, SCHEME, 0, SCHEME.length())
                || !Character.isWhitespace(value.charAt(SCHEME.length()))) {
            return null;
        }
        String token = value.substring(SCHEME.length()).strip();
        return token.isEmpty() ? null : token;
    }

    private static ApiException refusal(String message) {
        return new ApiException(401, ErrorDetail.invalidRequest(message, null, "invalid_api_key"), CHALLENGE);
    }
}
