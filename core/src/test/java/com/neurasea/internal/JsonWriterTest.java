package com.neurasea.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class JsonWriterTest {
  @Test
  void writesNestedDocumentsWithEscapes() {
    String json = new JsonWriter().beginObject()
        .member("name", "a \"quoted\" \\ line\nbreak\u0001")
        .member("count", 3)
        .name("flag").value(true)
        .name("none").value((String) null)
        .member("list", List.of("x", "y"))
        .name("empty").beginArray().endArray()
        .name("inner").beginObject().member("k", "v").endObject()
        .endObject().toString();

    assertThat(json).isEqualTo("""
        {
          "name": "a \\"quoted\\" \\\\ line\\nbreak\\u0001",
          "count": 3,
          "flag": true,
          "none": null,
          "list": [
            "x",
            "y"
          ],
          "empty": [],
          "inner": {
            "k": "v"
          }
        }""");
  }

  @Test
  void misuseIsRefused() {
    assertThatThrownBy(() -> new JsonWriter().beginObject().value("no key")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new JsonWriter().beginArray().name("k")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new JsonWriter().beginArray().endObject()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new JsonWriter().value("a").value("b")).isInstanceOf(IllegalStateException.class);
  }
}
