"""A case's detail as its citizen (``citizen``) and as staff (``staff``) see it: the case,
its trail, its parcel and its messages, assembled here, above the features they come from
(cases, shipping, the outbox), so each feature stays below the others."""

from __future__ import annotations
