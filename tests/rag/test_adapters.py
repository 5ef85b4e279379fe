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


def test_llamaindex_postprocessor_fails_closed_on_an_engine_failure() -> None:
    pytest.importorskip("llama_index.core", reason="pip install 'dataward[rag-llamaindex]'")
    from llama_index.core.schema import NodeWithScore, TextNode

    from dataward.rag import RetrievalError

    index = RagIndex()
    stored = index.index(CHUNKS[:1])

    def broken(text: str) -> list[object]:
        raise RuntimeError(text)

    index.detect = broken
    node = NodeWithScore(
        node=TextNode(text=stored[0].text, id_="c1", metadata=stored[0].attributes())
    )
    post = llamaindex_postprocessor(index, principal=SUPPORT, purpose="support")
    with pytest.raises(RetrievalError, match="engine failed on chunk c1") as err:
        post.postprocess_nodes([node])
    assert SSN not in str(err.value)
