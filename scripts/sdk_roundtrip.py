#!/usr/bin/env python3
"""Microsoft's own msgraph-beta-sdk against `sctui fake-graph` (run by hand, not in CI).

    python3 -m venv /tmp/sdk && /tmp/sdk/bin/pip install msgraph-beta-sdk
    sctui fake-graph --eval-seconds 1 > fake-graph.out & fake=$!
    until url=$(head -n 1 fake-graph.out) && [ -n "$url" ]; do sleep 0.1; done
    /tmp/sdk/bin/python scripts/sdk_roundtrip.py "$url"
    kill "$fake"

(the README's "Microsoft's SDK against the fake" says the same). Exits non-zero on the first
thing that does not round-trip.

Lists workspaces, sessions and plugins, creates and renames a session, posts a prompt and an
evaluation, and reads them back, all through the SDK's generated models: if the fake's JSON drifts
from Graph's shapes, the SDK fails to parse it here.
"""
import asyncio
import sys
import time

from kiota_abstractions.authentication import AccessTokenProvider, AllowedHostsValidator
from kiota_abstractions.authentication.base_bearer_token_authentication_provider import (
    BaseBearerTokenAuthenticationProvider,
)
from msgraph_beta import GraphRequestAdapter, GraphServiceClient
from msgraph_beta.generated.models.security.security_copilot.session import Session
from msgraph_beta.generated.models.security.security_copilot.prompt import Prompt
from msgraph_beta.generated.models.security.security_copilot.prompt_type import PromptType
from msgraph_beta.generated.models.security.security_copilot.evaluation import Evaluation


class StaticToken(AccessTokenProvider):
    async def get_authorization_token(self, uri, additional_authentication_context=None):
        return "sdk-roundtrip"

    def get_allowed_hosts_validator(self):
        return AllowedHostsValidator([])


async def main(base_url: str) -> None:
    adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(StaticToken()))
    adapter.base_url = base_url.rstrip("/")
    client = GraphServiceClient(request_adapter=adapter)
    copilot = client.security.security_copilot

    workspaces = await copilot.workspaces.get()
    print("workspaces:", [(w.id, w.display_name) for w in workspaces.value])
    ws = copilot.workspaces.by_workspace_id("default")

    page = await ws.sessions.get()
    print("sessions (first page):", len(page.value), "next link:", bool(page.odata_next_link))
    print("  newest:", page.value[0].display_name, page.value[0].created_date_time)

    plugins = await ws.plugins.get()
    print("plugins:", [(p.name, p.is_enabled) for p in plugins.value])

    created = await ws.sessions.post(Session(display_name="SDK round trip"))
    print("created:", created.id, created.display_name, created.created_date_time)
    renamed = await ws.sessions.by_session_id(created.id).patch(
        Session(display_name="SDK round trip (renamed)")
    )
    print("renamed:", renamed.display_name, renamed.last_modified_date_time)
    got = await ws.sessions.by_session_id(created.id).get()
    assert got.display_name == "SDK round trip (renamed)", got.display_name

    session = ws.sessions.by_session_id(created.id)
    prompt = await session.prompts.post(Prompt(type=PromptType.Prompt, content="who am i"))
    print("prompt:", prompt.id, prompt.type, prompt.content)
    evaluations = session.prompts.by_prompt_id(prompt.id).evaluations
    evaluation = await evaluations.post(Evaluation())
    print("evaluation:", evaluation.id, evaluation.state)
    for _ in range(40):
        evaluation = await evaluations.by_evaluation_id(evaluation.id).get()
        if str(evaluation.state).endswith("Completed") or str(evaluation.state) == "completed":
            break
        time.sleep(0.25)
    print("evaluation now:", evaluation.state, evaluation.result.type if evaluation.result else None)
    assert str(evaluation.state).endswith("Completed"), evaluation.state
    prompts = await session.prompts.get()
    print("prompts read back:", [(p.id, p.content) for p in prompts.value])
    listed = await evaluations.get()
    print("evaluations read back:", [(e.id, e.state) for e in listed.value])
    print("round trip OK")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080/beta"))
