"""Stories: documents connected by reuse, rooted at the best-supported original, as a tree."""

from __future__ import annotations

import hashlib
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping

from ..records import ReuseLink, Story, StoryMember


def _components(links: Iterable[ReuseLink]) -> list[set[str]]:
    """Connected components of the reuse graph (union-find)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        """Root of x's set, with path halving."""
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for link in links:
        ra, rb = find(link.source), find(link.target)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, set[str]] = defaultdict(set)
    for x in list(parent):
        groups[find(x)].add(x)
    return sorted(groups.values(), key=lambda g: min(g))


def story_id(members: Iterable[str]) -> str:
    """A stable id for a story: a hash of its sorted member ids."""
    digest = hashlib.sha1("\n".join(sorted(members)).encode("utf-8")).hexdigest()
    return f"story-{digest[:12]}"


def build_stories(links: list[ReuseLink], dates: Mapping[str, str | None] | None = None) -> list[Story]:
    """Group linked documents into stories; root each at its best-supported original.

    The root is a member no known-direction link points into; ties go to the earliest date,
    then the most documents derived from it, then the smallest id. The tree follows
    known-direction links from the root first (parent = the text it was copied from), then
    links of unknown direction.
    """
    dates = dates or {}
    stories: list[Story] = []
    comps = _components(links)
    comp_of = {doc: k for k, comp in enumerate(comps) for doc in comp}
    by_comp: dict[int, list[ReuseLink]] = defaultdict(list)
    for lk in links:
        by_comp[comp_of[lk.source]].append(lk)
    for k, comp in enumerate(comps):
        inner = by_comp[k]
        incoming: dict[str, int] = defaultdict(int)
        outgoing: dict[str, int] = defaultdict(int)
        for lk in inner:
            if lk.direction_known:
                incoming[lk.target] += 1
                outgoing[lk.source] += 1

        # root: unreferenced first, then dated early, then most derivations, then id
        root = min((incoming[d], dates.get(d) or "9999", -outgoing[d], d) for d in comp)[3]
        directed: dict[str, list[tuple[float, str]]] = defaultdict(list)
        undirected: dict[str, list[tuple[float, str]]] = defaultdict(list)
        for lk in inner:
            if lk.direction_known:
                directed[lk.source].append((-lk.shared_words, lk.target))
            else:
                undirected[lk.source].append((-lk.shared_words, lk.target))
                undirected[lk.target].append((-lk.shared_words, lk.source))
        members: dict[str, StoryMember] = {root: StoryMember(doc=root, parent=None, depth=0)}
        for edges in (directed, undirected):
            queue = deque(sorted(members, key=lambda m: members[m].depth))
            while queue:
                cur = queue.popleft()
                for _, nxt in sorted(edges.get(cur, [])):
                    if nxt not in members:
                        members[nxt] = StoryMember(doc=nxt, parent=cur, depth=members[cur].depth + 1)
                        queue.append(nxt)
        # a member reachable only against a known direction hangs under its closest linked doc
        pending = [m for m in sorted(comp) if m not in members]
        while pending:
            progressed = False
            for m in list(pending):
                best = min(
                    (
                        (-lk.shared_words, lk.target if lk.source == m else lk.source)
                        for lk in inner
                        if m in (lk.source, lk.target)
                        and (lk.target if lk.source == m else lk.source) in members
                    ),
                    default=None,
                )
                if best is not None:
                    par = best[1]
                    members[m] = StoryMember(doc=m, parent=par, depth=members[par].depth + 1)
                    pending.remove(m)
                    progressed = True
            if not progressed:  # cannot happen in a connected component; keep the loop finite
                break
        ordered = tuple(sorted(members.values(), key=lambda s: (s.depth, s.doc)))
        stories.append(Story(story_id=story_id(comp), root=root, members=ordered))
    return stories
