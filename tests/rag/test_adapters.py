"""The LangChain retriever and the LlamaIndex postprocessor keep only allowed chunks, masked."""

from __future__ import annotations

import pytest

from dataward.rag import RagIndex
from dataward.rag.adapters import langchain_retriever, llamaindex_postprocessor
from tests.rag.test_retrieval import CHUNKS, SSN, SUPPORT


def test_langchain_retriever() -> None:
    pytest.importorskip("langchain_core", reason="pip install 'dataward[rag-langchain]'")
    index = RagIndex()
    index.index(CHUNKS)
    docs = langchain_retriever(index, principal=SUPPORT, purpose="support", k=5).invoke("refund")
    assert sorted(d.metadata["id"] for d in docs) == ["c1", "c2"]
    assert all(SSN not in d.page_content for d in docs)
    assert any("***-**-1120" in d.page_content for d in docs)


def test_llamaindex_postprocessor() -> None:
    pytest.importorskip("llama_index.core", reason="pip install 'dataward[rag-llamaindex]'")
    from llama_index.core.schema import NodeWithScore, TextNode

    index = RagIndex()
    stored = index.index(CHUNKS)
    nodes = [
        NodeWithScore(node=TextNode(text=c.text, id_=c.id, metadata=c.attributes()), score=1.0)
        for c in stored
    ]
    nodes.append(NodeWithScore(node=TextNode(text=f"SSN {SSN}", id_="bare"), score=1.0))
    kept = llamaindex_postprocessor(index, principal=SUPPORT, purpose="support").postprocess_nodes(
        nodes
    )
    assert sorted(n.node.node_id for n in kept) == ["c1", "c2"]
    assert all(SSN not in n.node.get_content() for n in kept)
