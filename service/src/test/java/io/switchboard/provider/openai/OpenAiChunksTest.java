package io.switchboard.provider.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.jackson.Jackson;
import io.switchboard.api.ChatCompletionChunk;
import io.switchboard.provider.ProviderException;
import io.switchboard.provider.ProviderException.Kind;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OpenAiChunksTest {

    private final ObjectMapper mapper = Jackson.newObjectMapper();

    private ChatCompletionChunk read(String data) {
        return OpenAiChunks.read(mapper, data, ChatCompletionChunk.class, chunk -> chunk.choices() != null, "up");
    }

    @Test
    void aChunkIsReadWithItsUnknownFields() {
        var chunk = read("{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                + "\"system_fingerprint\":\"fp\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},"
                + "\"finish_reason\":null}]}");

        assertThat(chunk.id()).isEqualTo("c1");
        assertThat(chunk.choices()).hasSize(1);
        assertThat(chunk.extra()).containsKey("system_fingerprint");
    }

    @Test
    void anErrorEventIsTheUpstreamsFailure() {
        assertThatThrownBy(() -> read("{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}"))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.UPSTREAM_5XX);
                    assertThat(e.getMessage()).isEqualTo("overloaded");
                });
    }

    @Test
    void anErrorFieldBesideChoicesIsStillAChunk() {
        var chunk = read("{\"id\":\"c1\",\"choices\":[],\"error\":{\"message\":\"ignored\"}}");

        assertThat(chunk.choices()).isEmpty();
        assertThat(chunk.extra()).containsKey("error");
    }

    @Test
    void aChunkWithoutChoicesThatIsNoErrorPassesAsBefore() {
        var chunk = read("{\"id\":\"c1\",\"usage\":{\"prompt_tokens\":1}}");

        assertThat(chunk.choices()).isNull();
        assertThat(chunk.usage().path("prompt_tokens").asInt()).isEqualTo(1);
    }

    @Test
    void unreadableOrMistypedEventsAreMalformed() {
        assertThatThrownBy(() -> read("{not json"))
                .isInstanceOfSatisfying(
                        ProviderException.class, e -> assertThat(e.kind()).isEqualTo(Kind.MALFORMED));
        assertThatThrownBy(() -> read("{\"id\":\"c1\",\"choices\":\"none\"}"))
                .isInstanceOfSatisfying(
                        ProviderException.class, e -> assertThat(e.kind()).isEqualTo(Kind.MALFORMED));
    }
}
