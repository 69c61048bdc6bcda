"""engramdb in a LangChain chain: a chat history that is also long-term memory, and a retriever.

Run: python examples/langchain_retriever.py [STORE]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.runnables import RunnableLambda

from engramdb import Memory
from engramdb.integrations.langchain import EngramChatHistory, EngramRetriever


def main(path: Path) -> None:
    """Chat in one session, then recall it from another chain."""
    with Memory.open(path) as mem:
        history = EngramChatHistory(mem, "monday", user_id="ana")
        history.add_messages(
            [HumanMessage("I signed up for the Lisbon half marathon"), AIMessage("Good luck!")]
        )
        retriever = EngramRetriever(memory=mem, user_id="ana", k=3)
        cite = RunnableLambda(
            lambda docs: [f"{d.page_content}  ({d.metadata['explain']})" for d in docs]
        )
        for line in (retriever | cite).invoke("Which race is Ana training for?"):
            print(line)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tmp) / "chain.db")
