package com.neurasea.routing;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts tokens when a provider reports no usage (a client that went away mid-stream, an upstream
 * that broke off): with the model's own BPE encoding for OpenAI models (jtokkit: {@code o200k_base}
 * for the GPT-4o and o-series families, {@code cl100k_base} for GPT-4 and GPT-3.5), and with
 * {@code o200k_base} as an approximation for every other model.
 */
final class TokenCounter {
  private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();
  private final ConcurrentHashMap<String, Encoding> byModel = new ConcurrentHashMap<>();

  long count(String model, CharSequence text) {
    if (text == null || text.length() == 0) {
      return 0;
    }
    Encoding encoding = byModel.computeIfAbsent(model == null ? "" : model, TokenCounter::encodingFor);
    return encoding.countTokensOrdinary(text.toString());
  }

  private static Encoding encodingFor(String model) {
    String name = model.toLowerCase(java.util.Locale.ROOT);
    if (name.startsWith("gpt-4o") || name.startsWith("o1") || name.startsWith("o3") || name.startsWith("o4")
        || name.startsWith("gpt-4.1") || name.startsWith("gpt-5")) {
      return REGISTRY.getEncoding(EncodingType.O200K_BASE);
    }
    return REGISTRY.getEncodingForModel(model).orElseGet(() -> REGISTRY.getEncoding(EncodingType.O200K_BASE));
  }
}
