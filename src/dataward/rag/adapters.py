"""LangChain and LlamaIndex adapters over :class:`dataward.rag.retrieval.RagIndex`.

Both are optional (``pip install 'dataward[rag-langchain]'`` / ``'dataward[rag-llamaindex]'``)
and imported only when an adapter is built, so ``import dataward.rag`` stays light.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dataward.rag.model import Principal
from dataward.rag.retrieval import RagIndex


def langchain_retriever(
    index: RagIndex, *, principal: Principal | Mapping[str, Any], purpose: str, k: int = 4
) -> Any:
    """A LangChain ``BaseRetriever`` whose documents are the chunks ``principal`` may see for
    ``purpose``, masked (each retrieval audited as :meth:`RagIndex.retrieve` does)."""
    from langchain_core.documents import Document
    from langchain_core.retrievers import BaseRetriever

    who = Principal.of(principal)

    class DatawardRetriever(BaseRetriever):
        """Governed retrieval as a LangChain retriever."""

        def _get_relevant_documents(self, query: str, *, run_manager: Any) -> list[Document]:
            hits = index.retrieve(query, principal=who, purpose=purpose, k=k)
            return [
                Document(
                    page_content=h.text,
                    metadata={
                        "id": h.id,
                        "entities": list(h.entities),
                        "sensitivity": h.sensitivity,
                    },
                )
                for h in hits
            ]

    return DatawardRetriever()


def llamaindex_postprocessor(
    index: RagIndex, *, principal: Principal | Mapping[str, Any], purpose: str
) -> Any:
    """A LlamaIndex node postprocessor: keeps the nodes the policy allows ``principal`` for
    ``purpose`` (their metadata holds the chunk attributes; a node without them is dropped) and
    masks their text. Judged like :meth:`RagIndex.retrieve` judges a store's hits."""
    from llama_index.core.postprocessor.types import BaseNodePostprocessor
    from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

    from dataward.rag.model import FIELDS

    who = Principal.of(principal)

    class DatawardPostprocessor(BaseNodePostprocessor):
        """Drops the nodes the caller may not see and masks the rest."""

        def _postprocess_nodes(
            self, nodes: list[NodeWithScore], query_bundle: QueryBundle | None = None
        ) -> list[NodeWithScore]:
            kept: list[NodeWithScore] = []
            for item in nodes:
                meta = dict(item.node.metadata or {})
                if any(name not in meta for name in FIELDS):
                    continue  # no labels: fail closed
                attrs = {name: meta[name] for name in FIELDS}
                judged = index.judge(
                    item.node.node_id, item.node.get_content(), attrs, who, purpose
                )
                if judged is None:
                    continue
                node = TextNode(text=judged.text, id_=item.node.node_id, metadata=meta)
                kept.append(NodeWithScore(node=node, score=item.score))
            return kept

    return DatawardPostprocessor()
