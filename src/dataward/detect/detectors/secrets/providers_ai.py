"""LLM and AI platform API keys: OpenAI, Anthropic, Hugging Face, Groq, Replicate, Perplexity..."""

from __future__ import annotations

from dataward.detect.detectors.secrets._provider import ProviderDetector, kv
from dataward.detect.model import Pattern
from dataward.detect.registry import register


@register("openai-key")
class OpenAIKeyDetector(ProviderDetector):
    """OpenAI keys; user, project and service-account keys carry ``T3BlbkFJ`` (base64 "OpenAI")."""

    provider = "OpenAI"
    entity = "OPENAI_API_KEY"
    patterns = (
        Pattern(
            "openai-key-marked",
            r"sk-(?:(?:proj|svcacct|admin|None)-)?[A-Za-z0-9_-]{16,150}T3BlbkFJ[A-Za-z0-9_-]{16,150}",
            0.98,
        ),
        Pattern("openai-project-key", r"sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{80,200}", 0.9),
        Pattern(
            "openai-key-assignment",
            kv(r"openai_?(?:api_?)?key", r"sk-[A-Za-z0-9]{32,64}"),
            0.85,
            ignore_case=True,
            group=1,
        ),
    )


@register("anthropic-key")
class AnthropicKeyDetector(ProviderDetector):
    provider = "Anthropic"
    entity = "ANTHROPIC_API_KEY"
    patterns = (
        Pattern(
            "anthropic-api-key", r"sk-ant-(?:api|admin|sid)[0-9]{2}-[A-Za-z0-9_-]{80,120}", 0.98
        ),
    )


@register("huggingface-token")
class HuggingFaceTokenDetector(ProviderDetector):
    provider = "Hugging Face"
    entity = "HUGGINGFACE_TOKEN"
    patterns = (
        Pattern("huggingface-token", r"hf_[A-Za-z]{34}", 0.93),
        Pattern("huggingface-org-token", r"api_org_[A-Za-z]{34}", 0.93),
    )


@register("groq-key")
class GroqKeyDetector(ProviderDetector):
    provider = "Groq"
    entity = "API_KEY"
    patterns = (Pattern("groq-api-key", r"gsk_[A-Za-z0-9]{52}", 0.93),)


@register("openai-compatible-keys")
class SkHexKeyDetector(ProviderDetector):
    """``sk-`` and 32 hex digits: DeepSeek, Moonshot and other OpenAI-compatible APIs; needs context."""

    provider = "DeepSeek, Moonshot, DashScope"
    entity = "API_KEY"
    patterns = (Pattern("sk-hex-key", r"sk-[a-f0-9]{32}", 0.45),)
    context = {
        "any": ("deepseek", "moonshot", "dashscope", "qwen", "kimi", "zhipu", "api_key", "apikey")
    }


@register("llm-keys")
class LlmKeyDetector(ProviderDetector):
    """Other AI APIs with documented prefixes."""

    provider = (
        "Replicate, Perplexity, xAI, Together, Tavily, LlamaCloud, LangSmith, Pinecone, OpenRouter"
    )
    entity = "API_KEY"
    patterns = (
        Pattern("replicate-token", r"r8_[A-Za-z0-9]{37}", 0.9),
        Pattern("perplexity-key", r"pplx-[A-Za-z0-9]{48}", 0.95),
        Pattern("xai-key", r"xai-[A-Za-z0-9]{80}", 0.95),
        Pattern("together-key", r"tgp_v1_[A-Za-z0-9_-]{43}", 0.95),
        Pattern("tavily-key", r"tvly-(?:dev-|prod-)?[A-Za-z0-9]{32}", 0.95),
        Pattern("llamacloud-key", r"llx-[A-Za-z0-9_-]{48}", 0.9),
        Pattern("langsmith-key", r"lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}", 0.97),
        Pattern("pinecone-key", r"pcsk_[A-Za-z0-9]{4,8}_[A-Za-z0-9]{50,80}", 0.95),
        Pattern("openrouter-key", r"sk-or-v1-[a-f0-9]{64}", 0.97),
        Pattern("fireworks-key", r"fw_[A-Za-z0-9]{24}", 0.7),
        Pattern("elevenlabs-key", r"sk_[a-f0-9]{48}", 0.75),
    )


@register("llm-key-assignments")
class LlmKeyAssignmentDetector(ProviderDetector):
    """Prefix-free AI keys, matched only as the value of a key naming the provider."""

    provider = "Cohere, Mistral, Weights & Biases, AssemblyAI, Voyage"
    entity = "API_KEY"
    patterns = (
        Pattern(
            "cohere-key",
            kv(r"(?:cohere|co)_?api_?key", r"[A-Za-z0-9]{40}"),
            0.9,
            ignore_case=True,
            group=1,
        ),
        Pattern(
            "mistral-key",
            kv(r"mistral_?(?:ai_?)?api_?key", r"[A-Za-z0-9]{32}"),
            0.9,
            ignore_case=True,
            group=1,
        ),
        Pattern(
            "wandb-key",
            kv(r"wandb_?(?:api_?)?key", r"[a-f0-9]{40}|[A-Za-z0-9_]{86}"),
            0.9,
            ignore_case=True,
            group=1,
        ),
        Pattern(
            "assemblyai-key",
            kv(r"assembly_?ai_?(?:api_?)?key", r"[a-f0-9]{32}"),
            0.9,
            ignore_case=True,
            group=1,
        ),
        Pattern("voyage-key", r"pa-[A-Za-z0-9_-]{43}", 0.45),
    )
    context = {"any": ("voyage", "voyageai")}
