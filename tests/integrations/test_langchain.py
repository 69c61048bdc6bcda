"""LangChain's retriever and chat history interfaces, run by LangChain's own code paths."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("langchain_core")

from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder
from langchain_core.runnables import RunnableLambda

from engramdb import Memory
from engramdb.integrations.langchain import EngramChatHistory, EngramRetriever
from engramdb.pipeline.understand.rules_parser import RulesParser
from engramdb.testing import HashEmbedder


@pytest.fixture
def mem() -> Iterator[Memory]:
    with Memory.open(":memory:", embedder=HashEmbedder(), parser=RulesParser()) as memory:
        yield memory


def test_the_retriever_returns_documents_with_their_reasons(mem: Memory) -> None:
    mem.add([{"role": "user", "name": "Ana", "content": "I adopted a cat named Miso"},
             {"role": "user", "name": "Ana", "content": "We hiked in the Alps"}],
            user_id="ana", session_id="s1")  # fmt: skip
    retriever = EngramRetriever(memory=mem, user_id="ana", k=2)
    docs = retriever.invoke("What is the name of Ana's cat?")  # LangChain's own entry point
    assert len(docs) <= 2 and "Miso" in docs[0].page_content
    assert docs[0].metadata["why"] and docs[0].metadata["sources"]
    chain = retriever | RunnableLambda(lambda found: found[0].page_content)
    assert "Miso" in chain.invoke("cat name")


def test_the_chat_history_keeps_a_session_verbatim(mem: Memory) -> None:
    history = EngramChatHistory(mem, "chat-1", user_id="ana")
    assert history.messages == []
    history.add_messages([SystemMessage("Be brief."), HumanMessage("I live in Porto")])
    history.add_ai_message("Noted: Porto.")
    kinds = [(type(m).__name__, m.content) for m in history.messages]
    assert kinds == [
        ("SystemMessage", "Be brief."), ("HumanMessage", "I live in Porto"),
        ("AIMessage", "Noted: Porto."),
    ]  # fmt: skip
    assert EngramChatHistory(mem, "chat-2", user_id="ana").messages == []
    found = EngramRetriever(memory=mem, user_id="ana").invoke("Where does Ana live?")
    assert any("Porto" in d.page_content for d in found)  # the history is memory too
    history.clear()
    assert history.messages == []


def test_a_prompt_and_chat_model_run_on_the_history(mem: Memory) -> None:
    history = EngramChatHistory(mem, "s", user_id="u")
    model = FakeListChatModel(responses=["Hello Ana!", "You live in Porto."])
    prompt = ChatPromptTemplate.from_messages(
        [("system", "You remember."), MessagesPlaceholder("history"), ("human", "{question}")]
    )
    for question in ("Hi, I'm Ana and I live in Porto", "Where do I live?"):
        answer = (prompt | model).invoke({"history": history.messages, "question": question})
        history.add_messages([HumanMessage(question), answer])
    said = [m.content for m in history.messages]
    assert said == ["Hi, I'm Ana and I live in Porto", "Hello Ana!", "Where do I live?",
                    "You live in Porto."]  # fmt: skip
