"""OpenAI-compatible LLM client: streaming, tools, structured output, provider detection."""
