package com.neurasea.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {
  /** Every rule at least once: comments, \r\n, \r and \n endings, multi-byte UTF-8, multi-line data, ignored fields. */
  private static final String SAMPLE = "\uFEFF: stream opened\r\n"
      + "event: message_start\r\n"
      + "data: {\"text\":\"héllo 中文 😀\"}\r\n"
      + "\r\n"
      + "event: multi\n"
      + "data: line1\n"
      + ": a comment between data lines\n"
      + "data:line2\n"
      + "data:  two spaces\n"
      + "id: 7\n"
      + "retry: 100\n"
      + "unknown: field\n"
      + "\n"
      + "data: cr only\r"
      + "\r"
      + "data\n"
      + "\n"
      + "event: without-data\n"
      + "\n"
      + "event:\n"
      + "data: last 🎉 ü\r\n"
      + "data: \r\n"
      + "\r\n";

  private static final List<Event> EXPECTED = List.of(
      new Event("message_start", "{\"text\":\"héllo 中文 😀\"}"),
      new Event("multi", "line1\nline2\n two spaces"),
      new Event(null, "cr only"),
      new Event(null, ""),
      new Event(null, "last 🎉 ü\n"));

  private record Event(String event, String data) {}

  private static final class Recorder implements SseParser.Listener {
    final List<Event> events = new ArrayList<>();

    @Override
    public void onEvent(String event, String data) {
      events.add(new Event(event, data));
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void parsesTheSampleInOneChunk() {
    Recorder recorder = new Recorder();
    SseParser parser = new SseParser(recorder, 1024);
    parser.feed(ByteBuffer.wrap(bytes(SAMPLE)));
    assertThat(recorder.events).containsExactlyElementsOf(EXPECTED);
    assertThat(parser.hasPartialEvent()).isFalse();
  }

  @Test
  void parsesTheSampleSplitAtEveryByteBoundary() {
    byte[] sample = bytes(SAMPLE);
    for (int split = 0; split <= sample.length; split++) {
      Recorder recorder = new Recorder();
      SseParser parser = new SseParser(recorder, 1024);
      parser.feed(ByteBuffer.wrap(sample, 0, split));
      parser.feed(ByteBuffer.wrap(sample, split, sample.length - split));
      assertThat(recorder.events).as("split at %d", split).containsExactlyElementsOf(EXPECTED);
      assertThat(parser.hasPartialEvent()).isFalse();
    }
  }

  @Test
  void parsesTheSampleSplitAtEveryPairOfByteBoundaries() {
    byte[] sample = bytes(SAMPLE);
    for (int first = 0; first <= sample.length; first++) {
      for (int second = first; second <= sample.length; second++) {
        Recorder recorder = new Recorder();
        SseParser parser = new SseParser(recorder, 1024);
        parser.feed(ByteBuffer.wrap(Arrays.copyOfRange(sample, 0, first)));
        parser.feed(ByteBuffer.wrap(Arrays.copyOfRange(sample, first, second)));
        parser.feed(ByteBuffer.wrap(Arrays.copyOfRange(sample, second, sample.length)));
        assertThat(recorder.events).as("split at %d and %d", first, second).containsExactlyElementsOf(EXPECTED);
      }
    }
  }

  @Test
  void parsesTheSampleOneByteAtATimeFromDirectAndReadOnlyBuffers() {
    byte[] sample = bytes(SAMPLE);
    Recorder direct = new Recorder();
    Recorder readOnly = new Recorder();
    SseParser directParser = new SseParser(direct, 1024);
    SseParser readOnlyParser = new SseParser(readOnly, 1024);
    for (byte b : sample) {
      ByteBuffer one = ByteBuffer.allocateDirect(1).put(b).flip();
      directParser.feed(one);
      assertThat(one.hasRemaining()).isFalse();
      readOnlyParser.feed(ByteBuffer.wrap(new byte[] {b}).asReadOnlyBuffer());
    }
    assertThat(direct.events).containsExactlyElementsOf(EXPECTED);
    assertThat(readOnly.events).containsExactlyElementsOf(EXPECTED);
  }

  @Test
  void consumesTheWholeChunkFromItsPosition() {
    Recorder recorder = new Recorder();
    SseParser parser = new SseParser(recorder, 1024);
    ByteBuffer chunk = ByteBuffer.wrap(bytes("xxdata: a\n\n")).position(2);
    parser.feed(chunk.slice());
    parser.feed(chunk);
    assertThat(chunk.position()).isEqualTo(chunk.limit());
    assertThat(recorder.events).containsExactly(new Event(null, "a"), new Event(null, "a"));
  }

  @Test
  void aCarriageReturnEndingAChunkPairsWithTheLineFeedStartingTheNext() {
    Recorder recorder = new Recorder();
    SseParser parser = new SseParser(recorder, 1024);
    parser.feed(ByteBuffer.wrap(bytes("data: a\r")));
    parser.feed(ByteBuffer.wrap(bytes("\n")));
    assertThat(recorder.events).isEmpty();
    assertThat(parser.hasPartialEvent()).isTrue();
    parser.feed(ByteBuffer.wrap(bytes("\r")));
    assertThat(recorder.events).containsExactly(new Event(null, "a"));
    parser.feed(ByteBuffer.wrap(bytes("\ndata: b\n\n")));
    assertThat(recorder.events).containsExactly(new Event(null, "a"), new Event(null, "b"));
  }

  @Test
  void commentsAndBlankLinesAloneDispatchNothing() {
    Recorder recorder = new Recorder();
    SseParser parser = new SseParser(recorder, 1024);
    parser.feed(ByteBuffer.wrap(bytes(": keep-alive\n\n:\n\n\n\r\n")));
    assertThat(recorder.events).isEmpty();
    assertThat(parser.hasPartialEvent()).isFalse();
  }

  @Test
  void reportsAPartialEventLeftAtTheEnd() {
    Recorder recorder = new Recorder();
    SseParser parser = new SseParser(recorder, 1024);
    assertThat(parser.hasPartialEvent()).isFalse();
    parser.feed(ByteBuffer.wrap(bytes("event: message_stop\ndata: {\"type\":")));
    assertThat(parser.hasPartialEvent()).isTrue();
    parser.feed(ByteBuffer.wrap(bytes("\"message_stop\"}\n")));
    assertThat(parser.hasPartialEvent()).isTrue();
    assertThat(recorder.events).isEmpty();
    parser.feed(ByteBuffer.wrap(bytes("\n")));
    assertThat(parser.hasPartialEvent()).isFalse();
    assertThat(recorder.events).containsExactly(new Event("message_stop", "{\"type\":\"message_stop\"}"));

    parser.feed(ByteBuffer.wrap(bytes("event: ping\n")));
    assertThat(parser.hasPartialEvent()).isTrue();
  }

  @Test
  void refusesAnEventLargerThanTheLimit() {
    // "data: " plus 10 bytes is a 16-byte line: exactly at the limit
    Recorder recorder = new Recorder();
    SseParser parser = new SseParser(recorder, 16);
    parser.feed(ByteBuffer.wrap(bytes("data: 0123456789\n\n")));
    assertThat(recorder.events).containsExactly(new Event(null, "0123456789"));

    assertThatThrownBy(() -> parser.feed(ByteBuffer.wrap(bytes("data: 0123456789A\n\n"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("upstream event larger than 16 bytes");
  }

  @Test
  void refusesAnEventWhoseLinesTogetherExceedTheLimitEvenWhenFedInPieces() {
    SseParser parser = new SseParser(new Recorder(), 16);
    parser.feed(ByteBuffer.wrap(bytes("data: 01234\n")));
    parser.feed(ByteBuffer.wrap(bytes("data:")));
    assertThatThrownBy(() -> parser.feed(ByteBuffer.wrap(bytes("56789"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("upstream event larger than 16 bytes");
  }

  @Test
  void refusesAnUnterminatedLineLargerThanTheLimitBeforeBufferingIt() {
    SseParser parser = new SseParser(new Recorder(), 1000);
    byte[] huge = new byte[1001];
    Arrays.fill(huge, (byte) 'x');
    assertThatThrownBy(() -> parser.feed(ByteBuffer.wrap(huge)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("upstream event larger than 1000 bytes");
  }

  @Test
  void theLimitIsPerEvent() {
    Recorder recorder = new Recorder();
    SseParser parser = new SseParser(recorder, 16);
    for (int i = 0; i < 100; i++) {
      parser.feed(ByteBuffer.wrap(bytes("data: 0123456789\n\n: 0123456789ab\n")));
    }
    assertThat(recorder.events).hasSize(100);
  }

  @Test
  void handlesLinesLongerThanTheInitialBuffer() {
    String large = "é".repeat(100_000);
    byte[] stream = bytes("event: big\ndata: " + large + "\n\n");
    Recorder recorder = new Recorder();
    SseParser parser = new SseParser(recorder, 1 << 20);
    for (int offset = 0; offset < stream.length; offset += 999) {
      parser.feed(ByteBuffer.wrap(stream, offset, Math.min(999, stream.length - offset)));
    }
    parser.feed(ByteBuffer.wrap(bytes("data: small\n\n")));
    assertThat(recorder.events).containsExactly(new Event("big", large), new Event(null, "small"));
  }

  @Test
  void malformedUtf8IsReplacedNotFatal() {
    Recorder recorder = new Recorder();
    SseParser parser = new SseParser(recorder, 1024);
    parser.feed(ByteBuffer.wrap(new byte[] {'d', 'a', 't', 'a', ':', ' ', (byte) 0xC3, '!', '\n', '\n'}));
    assertThat(recorder.events).containsExactly(new Event(null, "\uFFFD!"));
  }
}
