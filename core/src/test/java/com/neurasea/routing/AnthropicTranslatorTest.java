package com.neurasea.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.neurasea.model.ErrorCode;
import com.neurasea.model.FieldError;
import com.neurasea.model.NeuraSeaException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AnthropicTranslatorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MODEL = "claude-sonnet-4-5-20250929";

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text.replace('\'', '"'));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode translate(String openAiRequest) {
    return translate(openAiRequest, false);
  }

  private static JsonNode translate(String openAiRequest, boolean stream) {
    byte[] body = AnthropicTranslator.request(json(openAiRequest), MODEL, stream, 4096);
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void assertInvalid(String openAiRequest, String field, String messagePart) {
    assertThatThrownBy(() -> translate(openAiRequest))
        .isInstanceOfSatisfying(NeuraSeaException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
          assertThat(e.fieldErrors()).extracting(FieldError::field).containsExactly(field);
          assertThat(e.getMessage()).contains(messagePart);
        });
  }

  private static JsonNode reply(String anthropicReply) throws IOException {
    AnthropicTranslator.Reply reply = AnthropicTranslator.response(
        anthropicReply.replace('\'', '"').getBytes(StandardCharsets.UTF_8), "my-alias", "chatcmpl-123", 1_760_000_000L);
    return JSON.readTree(reply.body());
  }

  // ---- requests ----

  @Test
  void mapsASimpleConversationAndItsParameters() {
    JsonNode out = translate("{'model':'my-alias','messages':["
        + "{'role':'system','content':'You are terse.'},"
        + "{'role':'developer','content':[{'type':'text','text':'Answer in French.'}]},"
        + "{'role':'user','content':'Hello','name':'alice'}],"
        + "'temperature':0.3,'top_p':0.9,'stop':'END','user':'user-42','max_tokens':100,"
        + "'logprobs':true,'top_logprobs':2,'response_format':{'type':'json_object'},'presence_penalty':0.5,"
        + "'frequency_penalty':0.1,'seed':7,'stream_options':{'include_usage':true},'logit_bias':{'50256':-100},"
        + "'n':1}", true);

    assertThat(out).isEqualTo(json("{'model':'" + MODEL + "','max_tokens':100,"
        + "'system':'You are terse.\\n\\nAnswer in French.',"
        + "'messages':[{'role':'user','content':[{'type':'text','text':'Hello'}]}],"
        + "'temperature':0.3,'top_p':0.9,'stop_sequences':['END'],'metadata':{'user_id':'user-42'},"
        + "'stream':true}"));
  }

  @Test
  void maxTokensComesFromMaxCompletionTokensThenMaxTokensThenTheDefault() {
    String messages = "'messages':[{'role':'user','content':'Hi'}]";
    assertThat(translate("{" + messages + ",'max_completion_tokens':50,'max_tokens':70}").get("max_tokens").asInt())
        .isEqualTo(50);
    assertThat(translate("{" + messages + ",'max_tokens':70}").get("max_tokens").asInt()).isEqualTo(70);
    assertThat(translate("{" + messages + ",'max_tokens':null}").get("max_tokens").asInt()).isEqualTo(4096);
    assertThat(translate("{" + messages + "}").get("max_tokens").asInt()).isEqualTo(4096);
    assertThat(translate("{" + messages + "}").get("stream").asBoolean()).isFalse();
    assertInvalid("{" + messages + ",'max_tokens':0}", "max_tokens", "positive integer");
    assertInvalid("{" + messages + ",'max_completion_tokens':'many'}", "max_completion_tokens", "positive integer");
    assertInvalid("{" + messages + ",'max_tokens':1.5}", "max_tokens", "positive integer");
  }

  @Test
  void temperatureIsCappedAtAnthropicsMaximumAndStopMayBeAnArray() {
    JsonNode out = translate("{'messages':[{'role':'user','content':'Hi'}],'temperature':1.7,'stop':['\\n\\n','###']}");
    assertThat(out.get("temperature").asDouble()).isEqualTo(1.0);
    assertThat(out.get("stop_sequences")).isEqualTo(json("['\\n\\n','###']"));
    assertThat(translate("{'messages':[{'role':'user','content':'Hi'}],'stop':[]}").has("stop_sequences")).isFalse();
    assertInvalid("{'messages':[{'role':'user','content':'Hi'}],'stop':42}", "stop", "string");
    assertInvalid("{'messages':[{'role':'user','content':'Hi'}],'temperature':'hot'}", "temperature", "number");
  }

  @Test
  void mapsTextAndImageParts() {
    JsonNode out = translate("{'messages':[{'role':'user','content':["
        + "{'type':'text','text':'What is in these images?'},"
        + "{'type':'image_url','image_url':{'url':'data:image/png;base64,iVBORw0KGgo=','detail':'high'}},"
        + "{'type':'image_url','image_url':{'url':'https://example.com/cat.jpg'}}]}]}");

    assertThat(out.get("messages")).isEqualTo(json("[{'role':'user','content':["
        + "{'type':'text','text':'What is in these images?'},"
        + "{'type':'image','source':{'type':'base64','media_type':'image/png','data':'iVBORw0KGgo='}},"
        + "{'type':'image','source':{'type':'url','url':'https://example.com/cat.jpg'}}]}]"));
  }

  @Test
  void refusesPartsAndImagesAnthropicCannotTake() {
    assertInvalid("{'messages':[{'role':'user','content':[{'type':'input_audio','input_audio':{'data':'AAA',"
        + "'format':'wav'}}]}]}", "messages", "input_audio");
    assertInvalid("{'messages':[{'role':'user','content':[{'type':'image_url','image_url':{'url':'ftp://x/y.png'}}]}]}",
        "messages", "http(s)");
    assertInvalid("{'messages':[{'role':'user','content':[{'type':'image_url',"
        + "'image_url':{'url':'data:image/png,abc'}}]}]}", "messages", "base64");
    assertInvalid("{'messages':[{'role':'user','content':'Hi'},{'role':'assistant','content':[{'type':'image_url',"
        + "'image_url':{'url':'https://example.com/a.png'}}]}]}", "messages", "message 1");
  }

  @Test
  void mapsAToolConversationBothWays() throws IOException {
    String request = "{'model':'my-alias','messages':["
        + "{'role':'user','content':'What is the weather in Paris and Rome?'},"
        + "{'role':'assistant','content':null,'tool_calls':["
        + "{'id':'toolu_01A','type':'function',"
        + "'function':{'name':'get_weather','arguments':'{\\'city\\':\\'Paris\\'}'}},"
        + "{'id':'toolu_01B','type':'function','function':{'name':'get_weather','arguments':'{\\'city\\':\\'Rome\\'}'}}"
        + "]},"
        + "{'role':'tool','tool_call_id':'toolu_01A','content':'18C, sunny'},"
        + "{'role':'tool','tool_call_id':'toolu_01B','content':[{'type':'text','text':'22C, clear'}]},"
        + "{'role':'user','content':'Thanks! Which is warmer?'}],"
        + "'tools':[{'type':'function','function':{'name':'get_weather','description':'Current weather',"
        + "'parameters':{'type':'object','properties':{'city':{'type':'string'}},'required':['city']},'strict':true}},"
        + "{'type':'function','function':{'name':'now'}}],"
        + "'tool_choice':'auto','parallel_tool_calls':false}";
    JsonNode out = translate(request);

    assertThat(out.get("messages")).isEqualTo(json("["
        + "{'role':'user','content':[{'type':'text','text':'What is the weather in Paris and Rome?'}]},"
        + "{'role':'assistant','content':["
        + "{'type':'tool_use','id':'toolu_01A','name':'get_weather','input':{'city':'Paris'}},"
        + "{'type':'tool_use','id':'toolu_01B','name':'get_weather','input':{'city':'Rome'}}]},"
        + "{'role':'user','content':["
        + "{'type':'tool_result','tool_use_id':'toolu_01A','content':'18C, sunny'},"
        + "{'type':'tool_result','tool_use_id':'toolu_01B','content':[{'type':'text','text':'22C, clear'}]},"
        + "{'type':'text','text':'Thanks! Which is warmer?'}]}]"));
    assertThat(out.get("tools")).isEqualTo(json("["
        + "{'name':'get_weather','description':'Current weather',"
        + "'input_schema':{'type':'object','properties':{'city':{'type':'string'}},'required':['city']}},"
        + "{'name':'now','input_schema':{'type':'object','properties':{}}}]"));
    assertThat(out.get("tool_choice")).isEqualTo(json("{'type':'auto','disable_parallel_tool_use':true}"));

    // the reply to such a request comes back as OpenAI tool calls the caller can send again
    JsonNode reply = reply("{'id':'msg_01Aq9w938a90dw8q','type':'message','role':'assistant','model':'" + MODEL + "',"
        + "'content':[{'type':'tool_use','id':'toolu_01C','name':'get_weather','input':{'city':'Oslo'}}],"
        + "'stop_reason':'tool_use','stop_sequence':null,'usage':{'input_tokens':400,'output_tokens':40}}");
    JsonNode message = reply.get("choices").get(0).get("message");
    ObjectNode next = JSON.createObjectNode();
    next.putArray("messages").add(json("{'role':'user','content':'And Oslo?'}")).add(message);
    JsonNode again = JSON.readTree(AnthropicTranslator.request(next, MODEL, false, 4096));
    assertThat(again.get("messages").get(1)).isEqualTo(json("{'role':'assistant','content':["
        + "{'type':'tool_use','id':'toolu_01C','name':'get_weather','input':{'city':'Oslo'}}]}"));
  }

  @Test
  void toolResultsGoFirstInAMergedUserMessage() {
    JsonNode out = translate("{'messages':[{'role':'user','content':'Time?'},"
        + "{'role':'assistant','tool_calls':[{'id':'call_1','type':'function',"
        + "'function':{'name':'now','arguments':'{}'}}]},"
        + "{'role':'user','content':'(use UTC)'},{'role':'tool','tool_call_id':'call_1','content':'12:00'}]}");
    assertThat(out.at("/messages/2")).isEqualTo(json("{'role':'user','content':["
        + "{'type':'tool_result','tool_use_id':'call_1','content':'12:00'},{'type':'text','text':'(use UTC)'}]}"));
    assertThat(out.get("messages")).hasSize(3);
  }

  @Test
  void mapsEachToolChoice() {
    String tools = "'messages':[{'role':'user','content':'Hi'}],"
        + "'tools':[{'type':'function','function':{'name':'lookup','parameters':{'type':'object'}}}]";
    assertThat(translate("{" + tools + ",'tool_choice':'auto'}").get("tool_choice")).isEqualTo(json("{'type':'auto'}"));
    assertThat(translate("{" + tools + ",'tool_choice':'required'}").get("tool_choice"))
        .isEqualTo(json("{'type':'any'}"));
    assertThat(translate("{" + tools + ",'tool_choice':'none','parallel_tool_calls':false}").get("tool_choice"))
        .isEqualTo(json("{'type':'none'}"));
    assertThat(translate("{" + tools + ",'tool_choice':{'type':'function','function':{'name':'lookup'}}}")
        .get("tool_choice")).isEqualTo(json("{'type':'tool','name':'lookup'}"));
    assertThat(translate("{" + tools + "}").has("tool_choice")).isFalse();
    assertThat(translate("{'messages':[{'role':'user','content':'Hi'}],'tool_choice':'auto'}").has("tool_choice"))
        .isFalse();
    assertInvalid("{" + tools + ",'tool_choice':'sometimes'}", "tool_choice", "auto");
    assertInvalid("{'messages':[{'role':'user','content':'Hi'}],'tools':[{'type':'code_interpreter'}]}", "tools",
        "function");
  }

  @Test
  void refusesUnparsableToolCallArguments() {
    assertInvalid("{'messages':[{'role':'user','content':'Hi'},{'role':'assistant','tool_calls':[{'id':'call_1',"
        + "'type':'function','function':{'name':'f','arguments':'{not json'}}]}]}", "messages", "not valid JSON");
    assertInvalid("{'messages':[{'role':'user','content':'Hi'},{'role':'assistant','tool_calls':[{'id':'call_1',"
        + "'type':'function','function':{'name':'f','arguments':'[1,2]'}}]}]}", "messages", "JSON object");
  }

  @Test
  void emptyArgumentsBecomeAnEmptyInput() {
    JsonNode out = translate("{'messages':[{'role':'user','content':'Hi'},{'role':'assistant','content':'',"
        + "'tool_calls':[{'id':'call_1','type':'function','function':{'name':'now','arguments':''}}]}]}");
    assertThat(out.get("messages").get(1)).isEqualTo(json("{'role':'assistant','content':["
        + "{'type':'tool_use','id':'call_1','name':'now','input':{}}]}"));
  }

  @Test
  void mergesConsecutiveMessagesOfTheSameRole() {
    JsonNode out = translate("{'messages':["
        + "{'role':'user','content':'First.'},{'role':'system','content':'Be brief.'},"
        + "{'role':'user','content':'Second.'},"
        + "{'role':'assistant','content':'One.'},{'role':'assistant','content':[{'type':'text','text':'Two.'}]},"
        + "{'role':'user','content':''},{'role':'assistant','content':'Three.'}]}");
    assertThat(out.get("system").asText()).isEqualTo("Be brief.");
    assertThat(out.get("messages")).isEqualTo(json("["
        + "{'role':'user','content':[{'type':'text','text':'First.'},{'type':'text','text':'Second.'}]},"
        + "{'role':'assistant','content':[{'type':'text','text':'One.'},{'type':'text','text':'Two.'},"
        + "{'type':'text','text':'Three.'}]}]"));
  }

  @Test
  void refusesWhatCannotBeServed() {
    assertInvalid("{'messages':[{'role':'user','content':'Hi'}],'n':2}", "n", "one choice");
    assertInvalid("{'messages':[{'role':'user','content':'Hi'}],'functions':[{'name':'f'}]}", "functions", "tools");
    assertInvalid("{'messages':[{'role':'user','content':'Hi'}],'function_call':'auto'}", "function_call",
        "tool_choice");
  }

  @Test
  void refusesBadShapes() {
    assertInvalid("{'model':'x'}", "messages", "must be an array");
    assertInvalid("{'messages':{'role':'user'}}", "messages", "must be an array");
    assertInvalid("{'messages':[{'content':'Hi'}]}", "messages", "message 0 has no role");
    assertInvalid("{'messages':['Hi']}", "messages", "message 0 must be an object");
    assertInvalid("{'messages':[{'role':'user','content':'Hi'},{'role':'wizard','content':'x'}]}", "messages",
        "message 1 has an unsupported role");
    assertInvalid("{'messages':[{'role':'system','content':'Only a system prompt'}]}", "messages", "at least one");
    assertInvalid("{'messages':[{'role':'user','content':42}]}", "messages", "string or an array");
    assertInvalid("{'messages':[{'role':'user','content':'Hi'},{'role':'tool','content':'x'}]}", "messages",
        "tool_call_id");
    assertThatThrownBy(() -> AnthropicTranslator.request(json("[]"), MODEL, false, 10))
        .isInstanceOf(NeuraSeaException.class);
  }

  // ---- replies ----

  @Test
  void mapsATextReplyWithCacheUsage() throws IOException {
    byte[] body = ("{\"id\":\"msg_013Zva2CMHLNnXjNJJKqJ2EF\",\"type\":\"message\",\"role\":\"assistant\","
        + "\"model\":\"" + MODEL + "\",\"content\":[{\"type\":\"text\",\"text\":\"Bonjour, \"},"
        + "{\"type\":\"text\",\"text\":\"le monde ✓\"}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,"
        + "\"usage\":{\"input_tokens\":12,\"cache_creation_input_tokens\":100,\"cache_read_input_tokens\":2000,"
        + "\"output_tokens\":9,\"service_tier\":\"standard\"}}").getBytes(StandardCharsets.UTF_8);
    AnthropicTranslator.Reply reply = AnthropicTranslator.response(body, "my-alias", "chatcmpl-abc", 1_760_000_000L);

    assertThat(reply.promptTokens()).isEqualTo(112);
    assertThat(reply.completionTokens()).isEqualTo(9);
    assertThat(reply.cachedTokens()).isEqualTo(2000);
    assertThat(JSON.readTree(reply.body())).isEqualTo(json("{'id':'chatcmpl-abc','object':'chat.completion',"
        + "'created':1760000000,'model':'my-alias','choices':[{'index':0,'message':{'role':'assistant',"
        + "'content':'Bonjour, le monde ✓','refusal':null},'logprobs':null,'finish_reason':'stop'}],"
        + "'usage':{'prompt_tokens':2112,'completion_tokens':9,'total_tokens':2121,"
        + "'prompt_tokens_details':{'cached_tokens':2000}}}"));
  }

  @Test
  void mapsAToolUseReply() throws IOException {
    JsonNode out = reply("{'id':'msg_01','type':'message','role':'assistant','model':'" + MODEL + "',"
        + "'content':[{'type':'tool_use','id':'toolu_01T1x1fJ34qAmk2tNTrN7Up6','name':'get_weather',"
        + "'input':{'location':'San Francisco, CA','unit':'celsius'}}],"
        + "'stop_reason':'tool_use','stop_sequence':null,'usage':{'input_tokens':472,'output_tokens':89}}");
    JsonNode choice = out.get("choices").get(0);
    assertThat(choice.get("finish_reason").asText()).isEqualTo("tool_calls");
    assertThat(choice.get("message").get("content").isNull()).isTrue();
    JsonNode call = choice.get("message").get("tool_calls").get(0);
    assertThat(call.get("id").asText()).isEqualTo("toolu_01T1x1fJ34qAmk2tNTrN7Up6");
    assertThat(call.get("type").asText()).isEqualTo("function");
    assertThat(call.get("function").get("name").asText()).isEqualTo("get_weather");
    assertThat(call.get("function").get("arguments").isTextual()).isTrue();
    assertThat(JSON.readTree(call.get("function").get("arguments").asText()))
        .isEqualTo(json("{'location':'San Francisco, CA','unit':'celsius'}"));
    assertThat(out.get("usage")).isEqualTo(json("{'prompt_tokens':472,'completion_tokens':89,'total_tokens':561,"
        + "'prompt_tokens_details':{'cached_tokens':0}}"));
  }

  @Test
  void keepsTheTextBesideToolCallsAndSkipsThinking() throws IOException {
    JsonNode out = reply("{'id':'msg_02','type':'message','role':'assistant','model':'" + MODEL + "','content':["
        + "{'type':'thinking','thinking':'The user wants the time.','signature':'EqQBCgIYAhIM'},"
        + "{'type':'text','text':'Let me check.'},"
        + "{'type':'tool_use','id':'toolu_02','name':'now','input':{}}],"
        + "'stop_reason':'tool_use','usage':{'input_tokens':10,'output_tokens':20}}");
    JsonNode message = out.get("choices").get(0).get("message");
    assertThat(message.get("content").asText()).isEqualTo("Let me check.");
    assertThat(message.get("tool_calls").get(0).get("function").get("arguments").asText()).isEqualTo("{}");
  }

  @Test
  void mapsStopReasons() throws IOException {
    String template = "{'id':'msg_03','type':'message','role':'assistant','content':[{'type':'text','text':'x'}],"
        + "'stop_reason':%s,'usage':{'input_tokens':1,'output_tokens':1}}";
    assertThat(reply(template.formatted("'max_tokens'")).at("/choices/0/finish_reason").asText()).isEqualTo("length");
    assertThat(reply(template.formatted("'stop_sequence'")).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    assertThat(reply(template.formatted("'end_turn'")).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    assertThat(reply(template.formatted("'refusal'")).at("/choices/0/finish_reason").asText())
        .isEqualTo("content_filter");
  }

  @Test
  void refusesAnUnreadableReply() {
    for (String body : new String[] {"", "not json", "{\"type\":\"message\"", "[]", "{\"type\":\"message\"}"}) {
      assertThatThrownBy(() -> AnthropicTranslator.response(body.getBytes(StandardCharsets.UTF_8), "m", "id", 0))
          .as(body)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("upstream returned an unreadable reply");
    }
  }

  // ---- errors ----

  @Test
  void readsTheMessageOfAnErrorBody() {
    byte[] body = ("{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
        + "\"message\":\"max_tokens: 100000 > 64000, which is the maximum allowed\"},"
        + "\"request_id\":\"req_011CSHoEeqs5C35K2UUqR7Fy\"}").getBytes(StandardCharsets.UTF_8);
    assertThat(AnthropicTranslator.errorMessage(body))
        .isEqualTo("max_tokens: 100000 > 64000, which is the maximum allowed");
    assertThat(AnthropicTranslator.errorMessage("<html>Bad Gateway</html>".getBytes(StandardCharsets.UTF_8))).isNull();
    assertThat(AnthropicTranslator.errorMessage("{\"type\":\"error\"}".getBytes(StandardCharsets.UTF_8))).isNull();
    assertThat(AnthropicTranslator.errorMessage(new byte[0])).isNull();
    assertThat(AnthropicTranslator.errorMessage(null)).isNull();
  }
}
