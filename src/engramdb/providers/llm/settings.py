"""The LLM from the environment (for the CLI and the servers; libraries pass one in).

============================  ===========================================
``ENGRAMDB_LLM_BASE_URL``     the server, e.g. ``http://localhost:11434/v1``
``ENGRAMDB_LLM_MODEL``        the model name (required with a base URL)
``ENGRAMDB_LLM_API_KEY``      bearer token (else ``OPENAI_API_KEY``, if set)
``ENGRAMDB_LLM_TIMEOUT``      seconds per call (default 60)
``ENGRAMDB_LLM_CONCURRENCY``  calls in flight at once (default 4)
``ENGRAMDB_LLM_JSON_MODE``    ``0`` for servers that reject ``response_format``
``ENGRAMDB_LLM_PRICES``       ``input,output`` per million tokens, for usage
============================  ===========================================
"""

from __future__ import annotations

from collections.abc import Mapping

from engramdb.errors import ConfigError
from engramdb.providers.llm.openai_compat import OpenAICompatible

__all__ = ["llm_from_env", "llm_from_options"]


def llm_from_env(environ: Mapping[str, str]) -> OpenAICompatible | None:
    """The model the environment names; ``None`` when no base URL is set.

    Raises:
        ConfigError: a value that cannot be used (the message names the variable).
    """
    base_url = environ.get("ENGRAMDB_LLM_BASE_URL")
    if not base_url:
        return None
    return llm_from_options(
        base_url=base_url,
        model=environ.get("ENGRAMDB_LLM_MODEL"),
        api_key=environ.get("ENGRAMDB_LLM_API_KEY") or environ.get("OPENAI_API_KEY"),
        timeout=_number(environ, "ENGRAMDB_LLM_TIMEOUT", 60.0),
        concurrency=int(_number(environ, "ENGRAMDB_LLM_CONCURRENCY", 4)),
        json_mode=environ.get("ENGRAMDB_LLM_JSON_MODE", "1") not in {"0", "false", "no"},
        prices=environ.get("ENGRAMDB_LLM_PRICES"),
    )


def llm_from_options(
    *,
    base_url: str,
    model: str | None,
    api_key: str | None = None,
    timeout: float = 60.0,
    concurrency: int = 4,
    json_mode: bool = True,
    prices: str | None = None,
) -> OpenAICompatible:
    """A client from flat options (CLI flags or environment values).

    Raises:
        ConfigError: no model, or prices not ``input,output``.
    """
    if not model:
        raise ConfigError("an LLM base URL needs a model name (ENGRAMDB_LLM_MODEL / --llm-model)")
    input_price = output_price = 0.0
    if prices:
        try:
            input_price, output_price = (float(p) for p in prices.split(","))
        except ValueError:
            raise ConfigError(
                f"LLM prices must be 'input,output' per million tokens, got {prices!r}"
            ) from None
    return OpenAICompatible(
        base_url=base_url,
        model=model,
        api_key=api_key,
        timeout=timeout,
        max_concurrency=concurrency,
        json_mode=json_mode,
        input_price=input_price,
        output_price=output_price,
    )


def _number(environ: Mapping[str, str], name: str, default: float) -> float:
    value = environ.get(name)
    if value is None:
        return default
    try:
        return float(value)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {value!r}") from None
