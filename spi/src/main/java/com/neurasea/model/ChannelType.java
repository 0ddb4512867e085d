package com.neurasea.model;

/** The wire protocol an upstream channel speaks. */
public enum ChannelType {
  /** OpenAI's API: {@code <base>/v1/chat/completions}, bearer key. */
  OPENAI,
  /**
   * Azure OpenAI: {@code <base>/openai/deployments/<model>/chat/completions?api-version=<v>}, {@code api-key}
   * header; the channel's model mapping names deployments and its {@code api-version} option the version.
   */
  AZURE_OPENAI,
  /** Anthropic's Messages API ({@code <base>/v1/messages}, {@code x-api-key}); requests and replies are translated. */
  ANTHROPIC,
  /** Any OpenAI-compatible server (vLLM, Ollama, LM Studio, …): {@code <base>/chat/completions}, optional bearer key. */
  OPENAI_COMPATIBLE
}
