package io.switchboard.resources;

import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SseFramesTest {

    private static String text(ByteArrayBuilder out) {
        return new String(out.toByteArray(), StandardCharsets.UTF_8);
    }

    @Test
    void jsonIsOneDataLineAndABlankLine() {
        var out = SseFrames.json(new ByteArrayBuilder(), new ObjectMapper(), Map.of("text", "a\nb \"é\""));
        assertThat(text(out)).isEqualTo("data: {\"text\":\"a\\nb \\\"é\\\"\"}\n\n");
    }

    @Test
    void namedEventsAndFramesFollowEachOtherInOneBuffer() {
        var out = new ByteArrayBuilder();
        SseFrames.event(out, "message_start", "{\"type\":\"message_start\"}");
        SseFrames.data(out, "[DONE]");
        assertThat(text(out)).isEqualTo("event: message_start\ndata: {\"type\":\"message_start\"}\n\ndata: [DONE]\n\n");
    }

    @Test
    void dataWithLineBreaksBecomesOneDataLinePerLine() {
        // Every line break the specification knows (\n, \r\n, \r) ends a data line.
        var out = SseFrames.data(new ByteArrayBuilder(), "one\ntwo\r\nthree\rfour");
        assertThat(text(out)).isEqualTo("data: one\ndata: two\ndata: three\ndata: four\n\n");
        assertThat(text(SseFrames.data(new ByteArrayBuilder(), "end\n"))).isEqualTo("data: end\ndata: \n\n");
        assertThat(text(SseFrames.data(new ByteArrayBuilder(), ""))).isEqualTo("data: \n\n");
    }

    @Test
    void commentsAndNamesCannotStartANewField() {
        assertThat(text(SseFrames.comment(new ByteArrayBuilder(), "keep-alive")))
                .isEqualTo(": keep-alive\n\n");
        assertThat(text(SseFrames.comment(new ByteArrayBuilder(), "a\ndata: x")))
                .isEqualTo(": a data: x\n\n");
        assertThat(text(SseFrames.event(new ByteArrayBuilder(), "ping\nx", "{}")))
                .isEqualTo("event: ping x\ndata: {}\n\n");
    }
}
