package com.neurasea.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.neurasea.model.ProcessingKind;
import com.neurasea.model.TenantId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordCodecTest {
  private static final RecordCodec.Fields DISCLOSURE = new RecordCodec.Fields(7, new byte[32],
      Instant.parse("2026-03-01T10:15:30.123Z"), ProcessingKind.DISCLOSURE, new TenantId("tnt_01abc"), "sk_abc",
      "token:sk_abc", "routing", List.of("user.usage.request_content"), "service_delivery", "gdpr.contract",
      "model_provider", "selected_service", false, "request:req_1", List.of());

  @Test
  void aRecordHasOneEncodingAndDecodesToItself() {
    byte[] content = RecordCodec.encode(DISCLOSURE);
    RecordCodec.Fields decoded = RecordCodec.decode(content);

    assertThat(RecordCodec.encode(decoded)).isEqualTo(content);
    assertThat(decoded.index()).isEqualTo(7);
    assertThat(decoded.kind()).isEqualTo(ProcessingKind.DISCLOSURE);
    assertThat(decoded.separateConsent()).isFalse();
    assertThat(new String(content, StandardCharsets.UTF_8)).startsWith("neurasea-record/v1\nindex=7\nprevious=0000");
  }

  @Test
  void contentOfABodyAtAPositionEqualsTheEncodingOfTheRecordThere() {
    assertThat(RecordCodec.content(7, new byte[32], RecordCodec.body(DISCLOSURE))).isEqualTo(RecordCodec.encode(DISCLOSURE));
  }

  @Test
  void anythingButTheCanonicalFormIsRejected() {
    String canonical = new String(RecordCodec.encode(DISCLOSURE), StandardCharsets.UTF_8);
    for (String bad : List.of(
        canonical.replace("index=7", "index=07"),
        canonical.replace("consent=false", "consent=no"),
        canonical.replace("kind=DISCLOSURE", "kind=GOSSIP"),
        canonical.replace("neurasea-record/v1", "neurasea-record/v2"),
        canonical.replace("\nmodule=routing", "\nmodule=routing\nextra=1"),
        canonical.substring(0, canonical.length() - 1),
        canonical + "\n",
        "")) {
      assertThatThrownBy(() -> RecordCodec.decode(bad.getBytes(StandardCharsets.UTF_8)))
          .as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void detailsSurviveLineBreaksAndPercentSigns() {
    Map<String, String> details = Map.of("user.device.user_agent", "Mozilla/5.0 %0A (evil\nline)\r100%");
    assertThat(RecordCodec.decodeDetails(RecordCodec.encodeDetails(details))).isEqualTo(details);
    assertThat(RecordCodec.decodeDetails(null)).isEmpty();
  }
}
