package com.neurasea.store.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StringListsTest {
  @Test
  void roundTripsAnyStrings() {
    List<String> values = List.of("", "plain", "quote\"", "back\\slash", "new\nline\r\ttab", "\u0000\u001f\u007f",
        "张伟 😀", "Robert'); DROP TABLE users;--", "[\"not\",\"nested\"]", "/slash/", "\\u0041");
    String encoded = StringLists.encode(values);
    assertThat(StringLists.decode(encoded)).isEqualTo(values);
    assertThat(StringLists.encode(List.of("a", "b"))).isEqualTo("[\"a\",\"b\"]");
  }

  @Test
  void roundTripsRandomStrings() {
    Random random = new Random(42);
    for (int round = 0; round < 200; round++) {
      List<String> values = new ArrayList<>();
      for (int i = random.nextInt(5); i > 0; i--) {
        StringBuilder s = new StringBuilder();
        for (int j = random.nextInt(12); j > 0; j--) {
          s.append((char) random.nextInt(0xD800));
        }
        values.add(s.toString());
      }
      assertThat(StringLists.decode(StringLists.encode(values))).isEqualTo(values);
    }
  }

  @Test
  void decodesEmptyAndSpacedArraysAndRejectsMalformedOnes() {
    assertThat(StringLists.decode(null)).isEmpty();
    assertThat(StringLists.decode("[]")).isEmpty();
    assertThat(StringLists.decode(" [ \"a\" , \"b\\u00e9\\/\" ] ")).containsExactly("a", "bé/");
    assertThatThrownBy(() -> StringLists.decode("[\"a\"")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StringLists.decode("[\"a\"] x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StringLists.decode("[1]")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StringLists.decode("[\"\\x\"]")).isInstanceOf(IllegalArgumentException.class);
  }
}
