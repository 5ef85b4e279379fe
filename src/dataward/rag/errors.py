"""The errors of governed retrieval, under :class:`dataward.errors.PolicyError`.

::

    PolicyError
     └── RetrievalError              retrieval stopped (fail closed): the reason is the message
          ├── UnlabelledChunkError   a chunk could not be labelled in ``enforce`` mode
          └── FilterCompileError     the policy has a condition no store filter can express

A message names chunk ids, attribute names and policy ids, never a chunk's text or a query.
"""

from __future__ import annotations

from dataward.errors import PolicyError


class RetrievalError(PolicyError):
    """Retrieval or indexing stopped: a check could not run, so no chunk goes through."""


class UnlabelledChunkError(RetrievalError):
    """A chunk has no labels (classification failed or access attributes are missing)."""


class FilterCompileError(RetrievalError):
    """A residual policy condition cannot be compiled soundly to a store filter."""
