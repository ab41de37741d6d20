package io.switchboard.auth;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which resource methods need a key: everything under /v1, nothing else. */
class ApiKeyFeatureTest {

    @Path("/v1/chat/completions")
    static final class Chat {
        @GET
        public void get() {}
    }

    @Path("v1")
    static final class Root {
        @GET
        @Path("models/{id: .+}")
        public void model() {}
    }

    @Path("/")
    static final class Mixed {
        @GET
        @Path("/v1/models")
        public void models() {}

        @GET
        @Path("/openapi.json")
        public void openApi() {}
    }

    @Path("/v10/x")
    static final class LookAlike {
        @GET
        public void get() {}
    }

    @Path("/docs")
    static final class Docs {
        @GET
        public void get() {}
    }

    @Test
    void protectsExactlyTheV1Tree() throws Exception {
        assertThat(ApiKeyFeature.isProtected(Chat.class, Chat.class.getMethod("get")))
                .isTrue();
        assertThat(ApiKeyFeature.isProtected(Root.class, Root.class.getMethod("model")))
                .isTrue();
        assertThat(ApiKeyFeature.isProtected(Mixed.class, Mixed.class.getMethod("models")))
                .isTrue();
        assertThat(ApiKeyFeature.isProtected(Mixed.class, Mixed.class.getMethod("openApi")))
                .isFalse();
        assertThat(ApiKeyFeature.isProtected(LookAlike.class, LookAlike.class.getMethod("get")))
                .isFalse();
        assertThat(ApiKeyFeature.isProtected(Docs.class, Docs.class.getMethod("get")))
                .isFalse();
        assertThat(ApiKeyFeature.isProtected(null, null)).isFalse();
    }
}
