package io.switchboard.resources;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.jackson.Jackson;
import io.switchboard.api.ApiException;
import io.switchboard.api.ChatCompletionRequest;
import io.switchboard.api.CompletionRequest;
import io.switchboard.api.EmbeddingRequest;
import io.switchboard.api.ErrorDetail;
import io.switchboard.api.ImageRequest;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties of the request parser and checks, on generated input: whatever the bytes, the
 * outcome is a parsed request or a 4xx {@link ApiException}, never any other exception; and a
 * request that is accepted can be written out again (it is what goes upstream). Tries are
 * bounded (junit-platform.properties) so CI time stays fixed.
 */
class RequestParserPropertiesTest {

    private static final ObjectMapper MAPPER = Jackson.newObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<String> VALID_BODIES = List.of(
            "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}",
            "{\"model\":\"echo\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"temperature\":0.7,"
                    + "\"messages\":[{\"role\":\"developer\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":"
                    + "[{\"type\":\"text\",\"text\":\"a\"}]}]}",
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"assistant\",\"content\":null,"
                    + "\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},"
                    + "{\"role\":\"tool\",\"tool_call_id\":\"c\",\"content\":\"1\"}],\"tools\":[{\"type\":\"function\","
                    + "\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"object\"}}}],\"tool_choice\":\"auto\","
                    + "\"stop\":[\"a\"],\"n\":2,\"max_tokens\":5,\"seed\":1}");
    private static final List<String> TOKENS = List.of(
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            "\"",
            "\\",
            " ",
            "\n",
            "null",
            "true",
            "false",
            "0",
            "-1",
            "1.5",
            "1e999",
            "-0.0e-7",
            "9".repeat(120),
            "\"model\"",
            "\"messages\"",
            "\"role\"",
            "\"user\"",
            "\"developer\"",
            "\"content\"",
            "\"echo\"",
            "\"temperature\"",
            "\"n\"",
            "\"stream\"",
            "\"tools\"",
            "\"tool_choice\"",
            "\"stop\"",
            "\"type\"",
            "\"function\"",
            "\"name\"",
            "\"parameters\"",
            "\"input\"",
            "\"prompt\"",
            "\"\\u0000\"",
            "\"\\ud800\"",
            "\"\\uZZZZ\"",
            "\"a\\nb\"",
            "/*",
            "'",
            "NaN");

    private final ApiRequestReader reader = new ApiRequestReader(64 * 1024);

    /** Parses and checks; accepted requests must serialise; refusals must be 4xx in OpenAI's terms. */
    private <T> void parsesOrRefuses(byte[] body, Class<T> type, Consumer<T> checks) {
        try {
            T request = reader.read(new ByteArrayInputStream(body), type);
            checks.accept(request);
            assertThat(MAPPER.writeValueAsBytes(request)).isNotEmpty();
        } catch (ApiException refused) {
            assertThat(refused.status()).isBetween(400, 499);
            assertThat(refused.detail().type()).isEqualTo(ErrorDetail.INVALID_REQUEST);
            assertThat(refused.detail().message()).isNotBlank();
        } catch (JsonProcessingException writing) {
            throw new AssertionError("an accepted request could not be written out again", writing);
        }
    }

    private void everyEndpoint(byte[] body) {
        parsesOrRefuses(body, ChatCompletionRequest.class, RequestChecks::chat);
        parsesOrRefuses(body, CompletionRequest.class, RequestChecks::completion);
        parsesOrRefuses(body, EmbeddingRequest.class, RequestChecks::embedding);
        parsesOrRefuses(body, ImageRequest.class, RequestChecks::image);
    }

    @Property
    void anyBytes(@ForAll @Size(max = 300) byte[] body) {
        everyEndpoint(body);
    }

    @Property
    void anyText(@ForAll @Size(max = 200) String text) {
        everyEndpoint(text.getBytes(StandardCharsets.UTF_8));
    }

    @Property
    void jsonLikeTokenSoup(@ForAll("tokenSoup") String text) {
        everyEndpoint(text.getBytes(StandardCharsets.UTF_8));
    }

    @Property
    void mutatedValidRequests(@ForAll("mutated") String text) {
        everyEndpoint(text.getBytes(StandardCharsets.UTF_8));
    }

    @Property
    void wellFormedJsonWithArbitraryValues(@ForAll("chatShaped") JsonNode body) throws Exception {
        everyEndpoint(MAPPER.writeValueAsBytes(body));
    }

    @Provide
    Arbitrary<String> tokenSoup() {
        return Arbitraries.of(TOKENS).list().ofMaxSize(60).map(tokens -> String.join("", tokens));
    }

    /** A valid request with one to four edits: a cut, an inserted token, a changed or dropped character. */
    @Provide
    Arbitrary<String> mutated() {
        Arbitrary<Edit> edit = Combinators.combine(
                        Arbitraries.integers().between(0, 3),
                        Arbitraries.doubles().between(0, 1),
                        Arbitraries.of(TOKENS),
                        Arbitraries.chars())
                .as(Edit::new);
        return Combinators.combine(
                        Arbitraries.of(VALID_BODIES), edit.list().ofMinSize(1).ofMaxSize(4))
                .as((body, edits) -> {
                    String text = body;
                    for (Edit e : edits) {
                        text = e.apply(text);
                    }
                    return text;
                });
    }

    private record Edit(int kind, double where, String token, char character) {

        String apply(String text) {
            int at = (int) Math.floor(where * text.length());
            return switch (kind) {
                case 0 -> text.substring(0, at);
                case 1 -> text.substring(0, at) + token + text.substring(at);
                case 2 -> at < text.length() ? text.substring(0, at) + character + text.substring(at + 1) : text;
                default -> at < text.length() ? text.substring(0, at) + text.substring(at + 1) : text;
            };
        }
    }

    /** Objects with the fields the parser knows, and others, holding any JSON value at all. */
    @Provide
    Arbitrary<JsonNode> chatShaped() {
        var fields = Arbitraries.of(
                "model",
                "messages",
                "temperature",
                "top_p",
                "n",
                "max_tokens",
                "max_completion_tokens",
                "stream",
                "stream_options",
                "stop",
                "tools",
                "tool_choice",
                "input",
                "prompt",
                "encoding_format",
                "dimensions",
                "response_format",
                "size",
                "seed",
                "x_unknown");
        var entry = Combinators.combine(fields, value(3)).as(List::<Object>of);
        return entry.list().ofMaxSize(8).map(entries -> {
            ObjectNode object = NODES.objectNode();
            for (List<Object> e : entries) {
                object.set((String) e.get(0), (JsonNode) e.get(1));
            }
            return object;
        });
    }

    private Arbitrary<JsonNode> value(int depth) {
        Arbitrary<JsonNode> leaf = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(12).map(NODES::textNode),
                Arbitraries.of(
                                "user",
                                "system",
                                "developer",
                                "assistant",
                                "tool",
                                "function",
                                "wizard",
                                "echo",
                                "gpt-4o",
                                "builtin/../x",
                                "",
                                "auto",
                                "none",
                                "required",
                                "float",
                                "base64")
                        .map(NODES::textNode),
                Arbitraries.integers().map(i -> (JsonNode) NODES.numberNode(i)),
                Arbitraries.longs().map(l -> (JsonNode) NODES.numberNode(l)),
                Arbitraries.doubles().map(d -> (JsonNode) NODES.numberNode(d)),
                Arbitraries.of(true, false).map(b -> (JsonNode) NODES.booleanNode(b)),
                Arbitraries.just(NODES.nullNode()));
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<JsonNode> array = value(depth - 1).list().ofMaxSize(4).map(items -> {
            var node = NODES.arrayNode();
            items.forEach(node::add);
            return node;
        });
        var keys = Arbitraries.of(
                "role",
                "content",
                "type",
                "function",
                "name",
                "parameters",
                "text",
                "tool_call_id",
                "tool_calls",
                "include_usage",
                "x");
        Arbitrary<JsonNode> object = Combinators.combine(keys, value(depth - 1))
                .as(List::<Object>of)
                .list()
                .ofMaxSize(4)
                .map(entries -> {
                    ObjectNode node = NODES.objectNode();
                    for (List<Object> e : entries) {
                        node.set((String) e.get(0), (JsonNode) e.get(1));
                    }
                    return node;
                });
        return Arbitraries.frequencyOf(Tuple.of(4, leaf), Tuple.of(2, array), Tuple.of(2, object));
    }
}
