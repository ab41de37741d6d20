package io.switchboard.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.jackson.Jackson;
import io.switchboard.api.ChatCompletionChunk;
import io.switchboard.api.ChatCompletionRequest;
import io.switchboard.api.EmbeddingRequest;
import io.switchboard.provider.ProviderException;
import io.switchboard.provider.ProviderException.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The corners of the Gemini translation the golden fixtures do not reach. */
class GeminiMapperTest {

    private static final ObjectMapper MAPPER = Jackson.newObjectMapper();
    /** A function call up to its arguments, for the cases below. */
    private static final String CALL = "{'id':'a','type':'function','function':{'name':'f','arguments':";

    @ParameterizedTest(name = "{0} (tool calls: {1}) → {2}")
    @CsvSource(
            nullValues = "null",
            value = {
                "STOP, false, stop",
                "STOP, true, tool_calls",
                "MAX_TOKENS, false, length",
                "MAX_TOKENS, true, length",
                "SAFETY, false, content_filter",
                "RECITATION, false, content_filter",
                "BLOCKLIST, false, content_filter",
                "PROHIBITED_CONTENT, false, content_filter",
                "SPII, false, content_filter",
                "IMAGE_SAFETY, false, content_filter",
                "LANGUAGE, false, stop",
                "OTHER, false, stop",
                "MALFORMED_FUNCTION_CALL, false, stop",
                "FINISH_REASON_UNSPECIFIED, false, null",
                "null, false, null"
            })
    void finishReasonsAsOpenAiNamesThem(String gemini, boolean toolCalls, String openAi) {
        assertThat(GeminiMapper.finishReason(gemini, toolCalls)).isEqualTo(openAi);
    }

    @Test
    void toolChoiceStringsAreCallingModes() {
        for (String[] pair : new String[][] {{"auto", "AUTO"}, {"none", "NONE"}, {"required", "ANY"}}) {
            JsonNode body = request("{'model':'m','messages':[{'role':'user','content':'hi'}],"
                    + "'tools':[{'type':'function','function':{'name':'f'}}],'tool_choice':'" + pair[0] + "'}");
            assertThat(body.path("toolConfig")).isEqualTo(tree("{'functionCallingConfig':{'mode':'" + pair[1] + "'}}"));
            assertThat(body.path("tools")).isEqualTo(tree("[{'functionDeclarations':[{'name':'f'}]}]"));
        }
    }

    @Test
    void toolChoiceWithoutToolsIsLeftOut() {
        JsonNode body = request("{'model':'m','messages':[{'role':'user','content':'hi'}],'tool_choice':'none'}");

        assertThat(body.has("toolConfig")).isFalse();
        assertThat(body.has("tools")).isFalse();
    }

    @Test
    void turnsOfOneRoleMergeAndEmptyTurnsGetAnEmptyText() {
        JsonNode body = request("{'model':'m','messages':["
                + "{'role':'user','content':'one'},{'role':'user','content':[{'type':'text','text':'two'}]},"
                + "{'role':'assistant','content':''},{'role':'user','content':'three'}],"
                + "'stop':'END','response_format':{'type':'json_object'},'max_tokens':5}");

        assertThat(body.path("contents"))
                .isEqualTo(tree("[{'role':'user','parts':[{'text':'one'},{'text':'two'}]},"
                        + "{'role':'model','parts':[{'text':''}]},{'role':'user','parts':[{'text':'three'}]}]"));
        assertThat(body.path("generationConfig"))
                .isEqualTo(tree("{'stopSequences':['END'],'maxOutputTokens':5,'responseMimeType':'application/json'}"));
    }

    @Test
    void toolResultsFindTheirFunctionByTheLatestCallWithThatId() {
        // Gemini's ids restart at call_0 in every response, so an id can recur in one conversation.
        JsonNode body = request("{'model':'m','messages':[{'role':'user','content':'hi'},"
                + "{'role':'assistant','tool_calls':[{'id':'call_0','type':'function',"
                + "'function':{'name':'first','arguments':''}}]},"
                + "{'role':'tool','tool_call_id':'call_0','content':'[1,2]'},"
                + "{'role':'assistant','tool_calls':[{'id':'call_0','type':'function',"
                + "'function':{'name':'second','arguments':'{}'}}]},"
                + "{'role':'tool','tool_call_id':'call_0','content':[{'type':'text','text':'42 degrees'}]}]}");

        JsonNode contents = body.path("contents");
        assertThat(contents.get(1))
                .isEqualTo(tree("{'role':'model','parts':[{'functionCall':{'name':'first','args':{}}}]}"));
        assertThat(contents.get(2))
                .isEqualTo(tree(
                        "{'role':'user','parts':[{'functionResponse':{'name':'first','response':{'output':[1,2]}}}]}"));
        assertThat(contents.get(4))
                .isEqualTo(
                        tree(
                                "{'role':'user','parts':[{'functionResponse':{'name':'second','response':{'output':'42 degrees'}}}]}"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "unknown tool call id | {'role':'tool','tool_call_id':'call_9','content':'x'}"
                        + " | tool_call_id 'call_9' matches no earlier",
                "arguments not JSON | {'role':'assistant','tool_calls':[" + CALL
                        + "'{oops'}}]} | arguments is not JSON",
                "arguments not an object | {'role':'assistant','tool_calls':[" + CALL
                        + "'[1]'}}]} | must be a JSON object",
                "arguments with trailing text | {'role':'assistant','tool_calls':[" + CALL
                        + "'{} x'}}]} | arguments is not JSON",
                "file by id | {'role':'user','content':[{'type':'file','file':{'file_id':'file-1'}}]}"
                        + " | file_id has no equivalent",
                "url-encoded data URL | {'role':'user','content':[{'type':'image_url','image_url':{'url':'data:image/png,abc'}}]}"
                        + " | only base64 data: URLs",
                "ftp image | {'role':'user','content':[{'type':'image_url','image_url':{'url':'ftp://x/y.png'}}]}"
                        + " | only data:, http(s):// and gs://",
                "audio as flac | {'role':'user','content':[{'type':'input_audio','input_audio':{'data':'AA==','format':'flac'}}]}"
                        + " | format of wav or mp3",
                "unknown part | {'role':'user','content':[{'type':'video','video':{}}]}"
                        + " | content part type 'video' has no Gemini equivalent"
            })
    void whatGeminiCannotExpressIsRefusedByName(String what, String message, String reason) {
        assertThatThrownBy(() -> request("{'model':'m','messages':[" + message + "]}"))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.UNSUPPORTED);
                    assertThat(e.provider()).isEqualTo("gemini");
                    assertThat(e.getMessage()).contains(reason);
                });
    }

    @Test
    void toolsAndChoicesWithoutAnEquivalentAreRefused() {
        assertThatThrownBy(() -> request("{'model':'m','messages':[{'role':'user','content':'hi'}],"
                        + "'tools':[{'type':'custom','custom':{'name':'grammar'}}]}"))
                .hasMessageContaining("tool type 'custom' has no Gemini equivalent");
        assertThatThrownBy(() -> request("{'model':'m','messages':[{'role':'user','content':'hi'}],"
                        + "'tools':[{'type':'function','function':{'name':'f'}}],"
                        + "'tool_choice':{'type':'allowed_tools','allowed_tools':{'mode':'auto','tools':[]}}}"))
                .hasMessageContaining("tool_choice of type 'allowed_tools' has no Gemini equivalent");
    }

    @Test
    void tokenArraysCannotBeEmbedded() throws IOException {
        var request = MAPPER.readValue(q("{'model':'m','input':['text',[1,2,3]]}"), EmbeddingRequest.class);

        assertThatThrownBy(() -> GeminiMapper.embeddingInputs(request, "gemini"))
                .hasMessageContaining("input[1]: Gemini embeds text only");
    }

    @Test
    void usageCountsThinkingAsCompletionAndReasoningAndCachedAsPromptDetail() {
        var usage = GeminiMapper.usage(
                tree(
                        "{'promptTokenCount':100,'cachedContentTokenCount':60,"
                                + "'candidatesTokenCount':20,'thoughtsTokenCount':30,'toolUsePromptTokenCount':5,'totalTokenCount':155}"));

        assertThat(usage.promptTokens()).isEqualTo(105);
        assertThat(usage.completionTokens()).isEqualTo(50);
        assertThat(usage.totalTokens()).isEqualTo(155);
        assertThat(usage.extra().get("prompt_tokens_details").toString()).isEqualTo(q("{'cached_tokens':60}"));
        assertThat(usage.extra().get("completion_tokens_details").toString()).isEqualTo(q("{'reasoning_tokens':30}"));
        assertThat(GeminiMapper.usage(null)).isNull();
    }

    @Test
    void blockedPromptIsOneFilteredChoiceStreamedOrNot() {
        JsonNode blocked = tree("{'promptFeedback':{'blockReason':'SAFETY','safetyRatings':[]},"
                + "'usageMetadata':{'promptTokenCount':7,'totalTokenCount':7}}");

        var response = GeminiMapper.chatCompletion(blocked, "m", "chatcmpl-1", 1, MAPPER);
        assertThat(response.choices()).singleElement().satisfies(choice -> {
            assertThat(choice.finishReason()).isEqualTo("content_filter");
            assertThat(choice.message().content()).isNull();
        });

        var translator = new GeminiStreamTranslator("gemini", "m", "chatcmpl-1", 1, true, MAPPER);
        var chunks = new ArrayList<>(translator.onResponse(blocked));
        chunks.addAll(translator.finish());
        assertThat(chunks).hasSize(3);
        assertThat(chunks.get(1).choices().get(0).finishReason()).isEqualTo("content_filter");
        assertThat(chunks.get(2).usage().path("prompt_tokens").asInt()).isEqualTo(7);
    }

    @Test
    void thoughtSummariesAreNotPartOfTheAnswer() {
        JsonNode response = tree("{'candidates':[{'content':{'role':'model','parts':["
                + "{'text':'Thinking about it...','thought':true},{'text':'Paris.'}]},'finishReason':'STOP'}]}");

        assertThat(GeminiMapper.chatCompletion(response, "m", "x", 1, MAPPER)
                        .choices()
                        .get(0)
                        .message()
                        .content())
                .isEqualTo("Paris.");
    }

    @Test
    void severalCandidatesAreSeveralChoicesEachWithItsOwnCallIds() {
        var translator = new GeminiStreamTranslator("gemini", "m", "chatcmpl-1", 1, false, MAPPER);
        List<ChatCompletionChunk> chunks = new ArrayList<>(translator.onResponse(tree("{'candidates':["
                + "{'index':0,'content':{'parts':[{'text':'A'}]}},"
                + "{'index':1,'content':{'parts':[{'functionCall':{'name':'f','args':{'x':1}}}]}}]}")));
        chunks.addAll(translator.onResponse(tree("{'candidates':["
                + "{'index':0,'content':{'parts':[{'text':'B'}]},'finishReason':'MAX_TOKENS'},"
                + "{'index':1,'content':{'parts':[{'functionCall':{'name':'g'}}]},'finishReason':'STOP'}]}")));
        chunks.addAll(translator.finish());

        // Each choice's index and delta, in order; every chunk also has logprobs: null.
        var deltas = chunks.stream()
                .map(chunk -> chunk.choices().get(0))
                .map(choice -> choice.index() + " " + MAPPER.valueToTree(choice.delta()) + " " + choice.finishReason())
                .map(line -> line.replace('"', '\''))
                .toList();
        assertThat(deltas)
                .containsExactly(
                        "0 {'role':'assistant','content':'','refusal':null} null",
                        "0 {'content':'A'} null",
                        "1 {'role':'assistant','content':'','refusal':null} null",
                        "1 {'tool_calls':[{'index':0,'id':'call_0','type':'function','function':{'name':'f','arguments':'{\\'x\\':1}'}}]} null",
                        "0 {'content':'B'} null",
                        "1 {'tool_calls':[{'index':1,'id':'call_1','type':'function','function':{'name':'g','arguments':'{}'}}]} null",
                        "0 {} length",
                        "1 {} tool_calls");
        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.usage()).isNull());
    }

    @Test
    void aStreamWithoutAnyResponseIsMalformed() {
        var translator = new GeminiStreamTranslator("gemini", "m", "chatcmpl-1", 1, false, MAPPER);

        assertThatThrownBy(translator::finish)
                .isInstanceOfSatisfying(
                        ProviderException.class, e -> assertThat(e.kind()).isEqualTo(Kind.MALFORMED));
    }

    @Test
    void modelResourcesAndPaths() {
        assertThat(GeminiMapper.resource("gemini-2.0-flash")).isEqualTo("models/gemini-2.0-flash");
        assertThat(GeminiMapper.resource("tunedModels/my-model-7")).isEqualTo("tunedModels/my-model-7");
        assertThat(GeminiMapper.path("models/odd name:x")).isEqualTo("models/odd%20name%3Ax");
    }

    /** Test JSON is written with single quotes, for legibility. */
    private static String q(String json) {
        return json.replace('\'', '"');
    }

    private static JsonNode request(String json) {
        try {
            return GeminiMapper.generateContentRequest(
                    MAPPER.readValue(q(json), ChatCompletionRequest.class), MAPPER, "gemini");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode tree(String json) {
        try {
            return MAPPER.readTree(q(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
