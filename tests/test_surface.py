"""Every surface offers the declared operations with the declared parameters.

``engramdb.api`` declares each operation once. The checks below compare each surface
with it (Python, async, the REST schema, the HTTP client, MCP tools, CLI commands) and
return the differences; the tests assert there are none, and that a change to any one
surface alone is caught.
"""

from __future__ import annotations

import asyncio
import copy
import inspect
import math
from collections.abc import Callable
from typing import Any

import click
import pytest

from engramdb import AsyncMemory, Memory
from engramdb.api import LOCAL_ONLY, OPERATIONS, MemoryAPI, Operation, Param
from engramdb.cli.main import cli
from engramdb.client import RemoteMemory
from engramdb.mcp_server import McpScope, build_mcp_server
from engramdb.server import create_app
from engramdb.testing import HashEmbedder
from engramdb.types import Unset

# What each CLI command leaves out of its operation, and why. Anything else declared
# must be an option or argument with the declared default and bounds.
CLI_LEAVES_OUT: dict[str, dict[str, str]] = {
    "add": {
        "messages": "one message: TEXT with --role and --speaker",
        "sync": "always on: a one-shot command extracts before it exits",
        "idempotency_key": "a retry of a command is a new command",
    },
    "get": {
        n: "a memory id is enough on the command line"
        for n in ("user_id", "agent_id", "session_id")
    },
    "list": {
        "include_inactive": "--all-statuses",
        "include_superseded": "--all-statuses shows them (with the archived ones)",
    },
    "context": {"reinforce": "the command only looks: it opens the store read-only"},
    "consolidate": {"progress": "the command draws its own progress bar"},
    "export": {"target": "TARGET, a path"},
    "import": {"source": "SOURCE, a path (or other formats: --format)"},
}

# What each MCP tool leaves out of its operation: the scope is the server's, and tools
# are shaped for agents (one message, a success flag). Checked: what they do take.
MCP_TOOL_OF = {op.mcp: op for op in OPERATIONS.values() if op.mcp}

NO_DEFAULT = object()
_CLICK_UNSET = getattr(click.core, "UNSET", object())  # click 8.2+: "no default given"


# --------------------------------------------------------------------------- checks
def _default(param: Param) -> Any:
    if param.required:
        return NO_DEFAULT
    return None if isinstance(param.default, Unset) else param.default


def python_differences(cls: type, *, coroutines: bool = False) -> list[str]:
    """How ``cls``'s methods differ from the declared signatures (names, kinds, defaults)."""
    found = []
    for name in OPERATIONS:
        method = getattr(cls, name, None)
        if method is None:
            found.append(f"{cls.__name__}.{name}: missing")
            continue
        if coroutines != inspect.iscoroutinefunction(method):
            found.append(f"{cls.__name__}.{name}: {'not ' if coroutines else ''}a coroutine")
        want = inspect.signature(getattr(MemoryAPI, name)).parameters.values()
        have = inspect.signature(method).parameters.values()
        shape = [(p.name, p.kind, p.default) for p in want]
        if [(p.name, p.kind, p.default) for p in have] != shape:
            found.append(f"{cls.__name__}.{name}{inspect.signature(method)} is not declared so")
    return found


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return dict(spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]])
    return schema


def _json_bounds(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, float]:
    """Numeric and length bounds of a (possibly optional) JSON schema."""
    schema = _resolve(schema, spec)
    members = [m for m in schema.get("anyOf", [schema]) if m.get("type") != "null"]
    keys = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength",
            "maxLength", "minItems", "maxItems")  # fmt: skip
    found: dict[str, float] = {}
    for member in members:
        found.update({k: float(member[k]) for k in keys if k in member})
    return found


def declared_bounds(param: Param) -> dict[str, float]:
    """The declared bounds of a parameter, named as JSON Schema names them."""
    found: dict[str, float] = {}
    if param.range is not None:
        pairs = (
            ("minimum", param.range.ge),
            ("maximum", param.range.le),
            ("exclusiveMinimum", param.range.gt),
            ("exclusiveMaximum", param.range.lt),
        )
        found.update({k: float(v) for k, v in pairs if v is not None})  # fmt: skip
    if param.length is not None:
        listed = (
            "Items"
            if "Iterable" in str(param.annotation) or "Sequence" in str(param.annotation)
            else "Length"
        )
        pairs = ((f"min{listed}", param.length.min), (f"max{listed}", param.length.max))
        found.update({k: float(v) for k, v in pairs if v is not None})
    return found


def _json_differences(
    where: str, param: Param, schema: dict[str, Any] | None, required: bool, spec: dict[str, Any]
) -> list[str]:
    if schema is None:
        return [f"{where}: {param.name} is missing"]
    found = []
    if required != param.required:
        found.append(f"{where}: {param.name} required={required}, declared {param.required}")
    default = schema.get("default", None if not param.required else NO_DEFAULT)
    if not required and default != _default(param):
        found.append(f"{where}: {param.name} default {default!r}, declared {_default(param)!r}")
    bounds = _json_bounds(schema, spec)
    want = declared_bounds(param)
    if (param.wire is None and bounds != want) or not want.items() <= bounds.items():
        found.append(f"{where}: {param.name} bounds {bounds}, declared {want}")
    return found


def _rest_inputs(op: Operation, spec: dict[str, Any]) -> dict[str, tuple[dict[str, Any], bool]]:
    assert op.route is not None
    entry = spec["paths"][op.route.path][op.route.method.lower()]
    inputs = {
        p["name"]: (p["schema"], p["required"])
        for p in entry.get("parameters", [])
        if p["in"] == "query"
    }
    body = entry.get("requestBody", {}).get("content", {}).get("application/json")
    if body is not None:
        model = _resolve(body["schema"], spec)
        for name, schema in model["properties"].items():
            inputs[name] = (schema, name in model.get("required", []))
    return inputs


def rest_differences(spec: dict[str, Any]) -> list[str]:
    """How a served OpenAPI document differs from the declared operations."""
    found = []
    for op in OPERATIONS.values():
        route = op.route
        if route is None or route.streaming or not route.path.startswith("/v1"):
            continue
        entry = spec["paths"].get(route.path, {}).get(route.method.lower())
        if entry is None:
            found.append(f"REST {route.method} {route.path} ({op.name}): not served")
            continue
        inputs = _rest_inputs(op, spec)
        skip = set(route.path_params) | ({"idempotency_key"} if route.idempotent else set())
        params = [p for p in op.remote_params if p.name not in skip]
        for param in params:
            schema, required = inputs.get(param.name, (None, False))
            found += _json_differences(f"REST {op.name}", param, schema, required, spec)
        extra = set(inputs) - {p.name for p in params}
        found += [f"REST {op.name}: {name} is not declared" for name in sorted(extra)]
    served = {(m.upper(), path) for path, ops in spec["paths"].items() for m in ops}
    declared = {(op.route.method, op.route.path) for op in OPERATIONS.values() if op.route}
    admin = {s for s in served if s[1].startswith("/v1/admin") or not s[1].startswith("/v1")}
    found += [
        f"REST {m} {p}: served but not declared" for m, p in sorted(served - declared - admin)
    ]
    return found


def mcp_differences(tools: list[Any], spec: dict[str, Any]) -> list[str]:
    """How MCP tools' parameters differ from the operation parameters they stand for."""
    found = []
    listed = {tool.name: tool for tool in tools}
    for name in sorted(set(MCP_TOOL_OF) - set(listed)):
        found.append(f"MCP tool {name}: missing")
    for tool in listed.values():
        op = MCP_TOOL_OF.get(tool.name)
        if op is None:
            found.append(f"MCP tool {tool.name}: no declared operation")
            continue
        schema = tool.input_schema
        for key, (op_name, param_name) in TOOL_PARAMS.get(tool.name, {}).items():
            param = OPERATIONS[op_name].param(param_name)
            prop = schema["properties"].get(key)
            required = key in schema.get("required", [])
            mapped = Param(**{**_fields(param), "default": _tool_default(param, required)})
            found += _json_differences(f"MCP {tool.name}", mapped, prop, required, spec)
    return found


def _fields(param: Param) -> dict[str, Any]:
    return {name: getattr(param, name) for name in Param.__dataclass_fields__}


def _tool_default(param: Param, required: bool) -> Any:
    return inspect.Parameter.empty if required else param.default


def cli_differences(group: click.Group) -> list[str]:
    """How CLI commands differ from their declared operations."""
    found = []
    for op in OPERATIONS.values():
        if op.cli is None:
            continue
        command = group.commands.get(op.cli)
        if command is None:
            found.append(f"CLI {op.cli}: missing")
            continue
        by_name = {p.name: p for p in command.params}
        left_out = CLI_LEAVES_OUT.get(op.cli, {})
        for param in op.params:
            given = by_name.get(param.name)
            if given is None:
                if param.name not in left_out and param.local is None:
                    found.append(f"CLI {op.cli}: no option for {param.name}")
                continue
            found += _click_differences(op.cli, param, given)
    return found


def _click_differences(command: str, param: Param, given: click.Parameter) -> list[str]:
    found = []
    want = _default(param)
    if isinstance(given, click.Argument):
        if given.required != param.required:
            found.append(f"CLI {command}: {param.name} required={given.required}")
        return found
    default = None if given.default is _CLICK_UNSET else given.default
    default = False if given.is_flag and default is None else default
    if want is not NO_DEFAULT and default != want and not (default in ((), None) and want is None):
        found.append(f"CLI {command}: --{param.name} default {default!r}, declared {want!r}")
    kind = given.type
    if isinstance(kind, click.IntRange | click.FloatRange) or param.range is not None:
        bounds = {"minimum" if not getattr(kind, "min_open", False) else "exclusiveMinimum":
                  getattr(kind, "min", None),
                  "maximum" if not getattr(kind, "max_open", False) else "exclusiveMaximum":
                  getattr(kind, "max", None)}  # fmt: skip
        have = {k: float(v) for k, v in bounds.items() if v is not None}
        declared = {k: v for k, v in declared_bounds(param).items() if "Length" not in k}
        if have != declared:
            found.append(f"CLI {command}: {param.name} bounds {have}, declared {declared}")
    return found


# ---------------------------------------------------------------------------- tools
def _tools(memory: Memory) -> list[Any]:
    server = build_mcp_server(memory, McpScope(user_id="u"))
    return list(asyncio.run(server.list_tools()))


def _tool_params() -> dict[str, dict[str, tuple[str, str]]]:
    from engramdb.mcp_server import _Tools

    return {
        name: getattr(method, "__declared__", {})
        for name, method in vars(_Tools).items()
        if callable(method)
    }


TOOL_PARAMS = _tool_params()


@pytest.fixture(scope="module")
def memory() -> Memory:
    return Memory.open(":memory:", embedder=HashEmbedder())


@pytest.fixture(scope="module")
def spec(memory: Memory) -> dict[str, Any]:
    return create_app(memory).openapi()


# ---------------------------------------------------------------------------- tests
def test_memory_offers_the_operations_and_the_local_only_ones() -> None:
    public = {n for n in dir(Memory) if not n.startswith("_")}
    assert public == set(OPERATIONS) | set(LOCAL_ONLY)


def test_python_surfaces_match_the_declarations() -> None:
    assert python_differences(Memory) == []
    assert python_differences(RemoteMemory) == []
    assert python_differences(AsyncMemory, coroutines=True) == []


def test_rest_matches_the_declarations(spec: dict[str, Any]) -> None:
    assert rest_differences(spec) == []


def test_mcp_tools_match_the_declarations(memory: Memory, spec: dict[str, Any]) -> None:
    assert mcp_differences(_tools(memory), spec) == []


def test_cli_matches_the_declarations() -> None:
    assert cli_differences(cli) == []


# ------------------------------------------------------- each surface changed alone
def _changed_default(method: Callable[..., Any], name: str, value: Any) -> Callable[..., Any]:
    signature = inspect.signature(method)
    params = [p.replace(default=value) if p.name == name else p
              for p in signature.parameters.values()]  # fmt: skip

    def changed(*args: Any, **kwargs: Any) -> Any:
        return method(*args, **kwargs)

    changed.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    return changed


def test_a_python_surface_changed_alone_is_caught() -> None:
    drifted = type("Drifted", (Memory,), {"search": _changed_default(Memory.search, "k", 5)})
    assert python_differences(drifted) == [
        f"Drifted.search{inspect.signature(drifted.search)} is not declared so"
    ]
    lacking = type("Lacking", (RemoteMemory,), {"jobs": None})
    assert python_differences(lacking) == ["Lacking.jobs: missing"]


def test_rest_changed_alone_is_caught(spec: dict[str, Any]) -> None:
    drifted = copy.deepcopy(spec)
    drifted["components"]["schemas"]["ContextIn"]["properties"]["budget_tokens"]["maximum"] = 20_000
    assert rest_differences(drifted) == [
        "REST context: budget_tokens bounds {'minimum': 50.0, 'maximum': 20000.0},"
        " declared {'minimum': 50.0, 'maximum': 100000.0}"
    ]
    del drifted["paths"]["/v1/jobs/retry"]
    assert "REST POST /v1/jobs/retry (retry): not served" in rest_differences(drifted)


def test_mcp_changed_alone_is_caught(memory: Memory, spec: dict[str, Any]) -> None:
    tools = _tools(memory)
    context = next(t for t in tools if t.name == "get_context")
    context.input_schema["properties"]["budget_tokens"]["default"] = 1000
    assert mcp_differences(tools, spec) == [
        "MCP get_context: budget_tokens default 1000, declared 1500"
    ]


def test_cli_changed_alone_is_caught() -> None:
    drifted = copy.deepcopy(cli)
    budget = next(p for p in drifted.commands["context"].params if p.name == "budget_tokens")
    budget.default = 1000
    assert cli_differences(drifted) == ["CLI context: --budget_tokens default 1000, declared 1500"]
    del drifted.commands["history"]
    assert "CLI history: missing" in cli_differences(drifted)


def test_declared_bounds_hold_in_the_engine(memory: Memory) -> None:
    from engramdb import InvalidInput

    first = {"search": {"query": "x"}, "context": {"query": "x"}, "procedures": {"task": "x"},
             "get_all": {}}  # fmt: skip
    for name, args in first.items():
        for param in OPERATIONS[name].params:
            if param.range is None or param.range.le is None:
                continue
            too_big = math.floor(param.range.le) + 1
            with pytest.raises(InvalidInput, match=param.name):
                getattr(memory, name)(**args, user_id="u", **{param.name: too_big})
