"""Spark engine: the same analysis as the local engine, with the work on Spark executors.

Per-document components run over partitions (``mapPartitions``); each executor's Python worker
loads the spaCy model and the packs once and keeps them for every later task (``_EXECUTOR``).
Reuse is a chain of Spark jobs over the whole corpus:

1. index: each document's winnowed anchors (``corpus.reuse.index_texts``), one row per document;
2. explode the anchor keys and group them by anchor: document frequency and the hub (earliest
   member) of each anchor;
3. candidate pairs: a self-join of anchors held by 2..max_df documents, counted per pair
   (>= min_anchors; >= short_min_anchors for two different outlets, or one anchor of 3 to one_anchor_df
   documents two of which are a pair of min_anchors, for two different known outlets), plus (hub, member)
   pairs of mass anchors (>= mass_min_anchors);
4. alignment: each pair joined with both documents, aligned by ``corpus.reuse._align_block``
   on the executors, links streamed back.

The pairs never reach the driver; it gets the links, the frequent anchors' document
frequencies (the rarity weights of alignment, broadcast back) and the per-document anchor
rows the store's reuse index keeps. Siblings, stories and every write go through the Store, so
export, report and UI read Spark results like local ones.
"""

from __future__ import annotations

import dataclasses
import pickle
import shutil
import sys
from collections.abc import Iterable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import pipeline, settings
from ..corpus.anchors import AnchorStats, doc_bits
from ..corpus.furniture import masked_documents, update_furniture
from ..corpus.reuse import (
    PAIR_BLOCK,
    STAGE,
    OutletText,
    ReuseConfig,
    ReuseSummary,
    _align_block,
    _rank,
    day_numbers,
    finish_links,
    index_texts,
    method_changed,
    outlet_known,
    outlet_numbers,
    outlet_text,
    stage_signature,
    update_reuse,
)
from ..corpus.shingles import TokenHasher
from ..errors import Code, MissingDependencyError, UsageError
from ..records import Document, DocumentAnalysis, ReuseLink
from ..store.base import IndexedDocument, Store
from .local import Mapper, Stage, Task, _setup, local_stages

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DEFAULT_MASTER = "local[2]"
BATCH_DOCS = 4_000  # documents handed to Spark per per-document job (bounds the driver's memory)

# this executor worker's loaded components and resources, by (names, packs): loaded by the
# first task that needs them and kept, so the spaCy model is read once per executor, not per task
_EXECUTOR: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[Any, ...]] = {}


def session(master: str | None = None, app: str = "tracewire", conf: dict[str, str] | None = None
            ) -> tuple[SparkSession, bool]:
    """A Spark session on ``master`` (``local[2]`` unless spark-submit or ``master`` names another),
    and whether this call started it (a running one, such as a test's, is reused and left running).

    ``conf`` adds Spark properties (a benchmark's event log). When this process starts the JVM,
    its heap is the ``spark_driver_memory`` setting: in local mode the executors live in it, and
    Spark's 1g default does not hold the documents of a 100k-document reuse run.
    """
    try:
        from pyspark import SparkConf, SparkContext
        from pyspark.sql import SparkSession
    except ImportError as e:
        raise MissingDependencyError(
            "the spark engine needs PySpark: pip install 'tracewire[spark]' (and Java 17: apt-get install "
            "openjdk-17-jre-headless)", Code.TW004) from e
    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    # starts the JVM (with the heap asked for), or joins spark-submit's, whose properties ...
    launch = SparkConf(loadDefaults=False).set("spark.driver.memory", str(settings.get("spark_driver_memory")))
    SparkContext._ensure_initialized(conf=launch)
    props = SparkConf()  # ... hold spark.master when spark-submit started this process
    chosen = master or props.get("spark.master", None) or DEFAULT_MASTER
    if chosen.startswith("local") and shutil.which("java") is None:
        raise MissingDependencyError(
            f"--master {chosen} runs Spark here and needs Java 17 on PATH: apt-get install "
            "openjdk-17-jre-headless (or `make test`, which installs it)", Code.TW004)
    builder = (SparkSession.builder.appName(app).master(chosen)
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.python.worker.reuse", "true"))
    if chosen.startswith("local"):
        # executors here are this interpreter (its packages and model); a cluster brings its own
        settings.spark_python(sys.executable)
        builder = (builder.config("spark.ui.enabled", "false")
                   .config("spark.sql.shuffle.partitions", "8")
                   .config("spark.default.parallelism", "4"))
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as e:  # py4j/JVM start failures carry no common base class
        raise UsageError(f"could not start Spark on master {chosen!r}: {e}. Check --master and that "
                         "Java 17 runs (`java -version`).", Code.TW002) from e
    spark.sparkContext.setLogLevel("ERROR")
    return spark, True


# -- per-document components -----------------------------------------------------------------------
def _executor_state(names: tuple[str, ...], packs: tuple[str, ...]) -> tuple[Any, ...]:
    """The components and resources of this executor worker, loaded on first use."""
    key = (names, packs)
    if key not in _EXECUTOR:
        _EXECUTOR.clear()
        _EXECUTOR[key] = _setup(names, packs)
    return _EXECUTOR[key]


def _analyse_partition(tasks: Iterable[Task], names: tuple[str, ...], packs: tuple[str, ...]
                       ) -> Iterator[tuple[int, list[DocumentAnalysis]]]:
    """Executor: analyse each task's documents with its components; records come back, parses stay."""
    comps, res = _executor_state(names, packs)
    for group, run, docs in tasks:
        anas = pipeline.analyze_documents(docs, [comps[n] for n in run], res)
        yield group, [a.record() for a in anas]


def spark_mapper(spark: SparkSession, batch_docs: int = BATCH_DOCS) -> Mapper:
    """The per-document runner on Spark: chunks of up to ``batch_docs`` documents per job, in order."""
    sc = spark.sparkContext

    def run(tasks: Iterator[Task], names: tuple[str, ...], packs: tuple[str, ...]
            ) -> Iterator[tuple[int, list[DocumentAnalysis]]]:
        """Records of each task's documents, in task order (partitions keep it)."""
        def job(part: list[Task]) -> list[tuple[int, list[DocumentAnalysis]]]:
            slices = max(1, min(len(part), 2 * sc.defaultParallelism))
            rdd = sc.parallelize(part, slices)
            out: list[tuple[int, list[DocumentAnalysis]]] = rdd.mapPartitions(
                partial(_analyse_partition, names=names, packs=packs)).collect()
            return out

        held: list[Task] = []
        size = 0
        for task in tasks:
            held.append(task)
            size += len(task[2])
            if size >= batch_docs:
                yield from job(held)
                held, size = [], 0
        if held:
            yield from job(held)
    return run


# -- reuse ---------------------------------------------------------------------------------------
def _doc_blob(doc: Document, group: str | None, house: tuple[tuple[int, int], ...]) -> bytes:
    """A masked document with its outlet group and house text, as one binary cell.

    Only what alignment and direction read travels (id, text, date, outlet, title): the raw text,
    offset map and metadata would double what every shuffle of a pair moves.
    """
    lean = dataclasses.replace(doc, raw_text=None, offset_map=(), meta={}, source_path="")
    return pickle.dumps((lean, group, house), protocol=pickle.HIGHEST_PROTOCOL)


def _index_partition(rows: Iterable[tuple[int, int, int, bytes]], cfg: ReuseConfig, bits: int
                     ) -> Iterator[tuple[int, int, int, bytes, list[int], int]]:
    """Executor: (doc, rank, words, anchors BLOB, anchor keys, outlet) of each (doc, rank, outlet, blob) of a
    partition."""
    part = list(rows)
    if not part:
        return
    docs = [pickle.loads(blob)[0] for _, _, _, blob in part]
    idx = index_texts([d.text for d in docs], TokenHasher(), cfg)
    bounds = np.searchsorted(idx.owners, np.arange(len(part) + 1), side="left")
    shift = np.uint64(bits)
    for k, r in enumerate(part):
        full = np.unique(idx.anchors[bounds[k] : bounds[k + 1]])
        keys = np.unique(full >> shift).astype(np.int64)  # the anchor as candidate_pairs groups it
        yield (int(r[0]), int(r[1]), int(idx.word_counts[k]), full.astype("<u8").tobytes(), keys.tolist(),
               int(r[2]))


def _align_partition(rows: Iterable[Any], stats: Any, cfg: ReuseConfig) -> Iterator[ReuseLink]:
    """Executor: align the candidate pairs of a partition (both documents come with each pair)."""
    part = sorted(((int(r["i"]), int(r["j"]), r["bi"], r["bj"]) for r in rows), key=lambda t: (t[0], t[1]))
    if not part:
        return
    local: dict[int, int] = {}
    docs: list[Document] = []
    outlets = OutletText({}, {})
    for i, j, bi, bj in part:
        for g, blob in ((i, bi), (j, bj)):
            if g not in local:
                doc, group, house = pickle.loads(blob)
                local[g] = len(docs)
                docs.append(doc)
                if group is not None:
                    outlets.group[doc.id] = group
                outlets.house[doc.id] = house
    ii = np.array([local[i] for i, _, _, _ in part], dtype=np.int64)
    jj = np.array([local[j] for _, j, _, _ in part], dtype=np.int64)
    st: AnchorStats = stats.value
    for lo in range(0, ii.shape[0], PAIR_BLOCK):
        yield from _align_block(docs, ii[lo : lo + PAIR_BLOCK], jj[lo : lo + PAIR_BLOCK], st, cfg, outlets)


def spark_reuse(spark: SparkSession, store: Store, progress: Any = None,
                config: ReuseConfig | None = None) -> ReuseSummary:
    """Reuse of the whole corpus as Spark jobs, written through the store (siblings and stories too).

    When the store's reuse index already matches every current document, nothing is sent to
    Spark: the local incremental stage confirms it. Otherwise every document is indexed and
    compared again (a cluster run is a batch over the corpus).
    """
    from pyspark.sql import functions as F

    cfg = config or ReuseConfig()
    sig = stage_signature(cfg)
    rebuild = method_changed(store, sig)
    update_furniture(store, cfg.furniture)
    furn, outlets = outlet_text(store)
    versions = store.document_versions()
    indexed = store.reuse_index_state()
    current = {x: sha + "|" + furn.get(x, "[]") for x, (sha, _) in versions.items()}
    before = {x: sha + "|" + f for x, (sha, f) in indexed.items()}
    if before == current and not rebuild:
        return update_reuse(store, progress, cfg)
    if rebuild:
        store.record_signatures([sig])
    ids = sorted(versions)
    n = len(ids)
    removed = sum(1 for x, sha in before.items() if current.get(x) != sha)
    bits = doc_bits(n)
    rank = _rank([versions[x][1] for x in ids], ids)
    sc = spark.sparkContext
    # the outlet number of each document, as the local engine counts distinct outlets per anchor
    outlet = outlet_numbers(ids, outlets.group)
    known = outlet_known(ids, outlets.group)
    rows = [(k, int(rank[k]), int(outlet[k]), _doc_blob(d, outlets.group.get(d.id), outlets.house.get(d.id, ())))
            for k, d in enumerate(masked_documents(store, ids))]
    slices = max(1, min(n, 4 * sc.defaultParallelism, -(-n // 200)))
    docs = sc.parallelize(rows, slices)  # plain tuples: no DataFrame round trip before indexing
    del rows
    sc.setJobDescription("reuse 1/4: index documents, explode anchor keys, group by anchor")
    index = docs.mapPartitions(partial(_index_partition, cfg=cfg, bits=bits)).cache()
    # the anchor keys live in the JVM from here on: the explode, the groupBy and both joins read this
    # cached frame instead of converting the Python index again for each of them
    per_doc = spark.createDataFrame(index.map(lambda t: (t[0], t[1], t[5], t[4])),
                                    "doc long, rank long, outlet long, keys array<long>").cache()
    anchors = per_doc.select("doc", "rank", "outlet", F.explode("keys").alias("a"))
    by_anchor = anchors.groupBy("a").agg(F.count(F.lit(1)).alias("df"),
                                         F.min(F.struct("rank", "doc")).alias("hub"),
                                         F.size(F.collect_set("outlet")).alias("outlets")).cache()
    # the frequent anchors' document frequencies and distinct outlets, for the rarity weights of alignment
    freq = by_anchor.where(F.col("df") >= cfg.stats_min_df).select("a", "df", "outlets").collect()
    hs = np.array([r["a"] for r in freq], dtype=np.int64).astype(np.uint64)
    dfs = np.array([r["df"] for r in freq], dtype=np.int64)
    n_out = np.array([r["outlets"] for r in freq], dtype=np.int64)
    order = np.argsort(hs, kind="stable")
    n_known = int(np.unique(outlet[known]).shape[0])
    stats = sc.broadcast(AnchorStats(hs[order], dfs[order], bits, n, n_out[order], n_known))
    del freq, hs, dfs, n_out
    # pairs through anchors in 2..max_df documents: self-join, counted per pair
    members = anchors.join(by_anchor.where((F.col("df") >= 2) & (F.col("df") <= cfg.max_df)).select("a"), "a")
    x, y = members.alias("x"), members.alias("y")
    counted = (x.join(y, (F.col("x.a") == F.col("y.a")) & (F.col("x.doc") < F.col("y.doc")))
               .groupBy(F.col("x.doc").alias("i"), F.col("y.doc").alias("j")).count())
    rare = counted.where(F.col("count") >= cfg.min_anchors).select("i", "j")
    if cfg.short_min_anchors < cfg.min_anchors:
        # documents of two different outlets need fewer shared anchors (a 12-word run; a page of no
        # known outlet is its own outlet), and dated wire_days apart at most, or undated
        day = day_numbers([versions[x][1] for x in ids])
        kn = spark.createDataFrame([(k, int(outlet[k]), int(day[k]), bool(known[k])) for k in range(n)],
                                   "doc long, o long, d long, k boolean")
        few = counted.where((F.col("count") >= cfg.short_min_anchors) & (F.col("count") < cfg.min_anchors))
        if cfg.one_anchor_df:
            # ... or one shared anchor of 3 to one_anchor_df documents, two of which are a pair of
            # min_anchors (an edited copy of a passage others print intact), between known outlets
            small = anchors.join(by_anchor.where((F.col("df") >= 3) & (F.col("df") <= cfg.one_anchor_df))
                                 .select("a"), "a").select("a", "doc")
            sx, sy = small.alias("sx"), small.alias("sy")
            held_pairs = (sx.join(sy, (F.col("sx.a") == F.col("sy.a")) & (F.col("sx.doc") < F.col("sy.doc")))
                          .select(F.col("sx.a").alias("a"), F.col("sx.doc").alias("i"), F.col("sy.doc").alias("j")))
            held = held_pairs.join(rare, ["i", "j"]).select("a").distinct()
            one = (held_pairs.join(held, "a").select("i", "j").distinct()
                   .join(counted.where(F.col("count") < cfg.short_min_anchors), ["i", "j"])
                   .join(kn.where(F.col("k")).select(F.col("doc").alias("i")), "i")
                   .join(kn.where(F.col("k")).select(F.col("doc").alias("j")), "j"))
            few = few.select("i", "j").union(one.select("i", "j"))
        few = (few.select("i", "j")
               .join(kn.select(F.col("doc").alias("i"), F.col("o").alias("oi"), F.col("d").alias("di")), "i")
               .join(kn.select(F.col("doc").alias("j"), F.col("o").alias("oj"), F.col("d").alias("dj")), "j")
               .where((F.col("oi") != F.col("oj"))
                      & ((F.col("di") < 0) | (F.col("dj") < 0) | (F.abs(F.col("di") - F.col("dj")) <= cfg.wire_days)))
               .select("i", "j"))
        rare = rare.union(few)
    # mass reprints: each member of an anchor in more than max_df documents pairs with its hub
    mass = (anchors.join(by_anchor.where(F.col("df") > cfg.max_df).select("a", F.col("hub.doc").alias("h")), "a")
            .where(F.col("doc") != F.col("h"))
            .select(F.least("doc", "h").alias("i"), F.greatest("doc", "h").alias("j"))
            .groupBy("i", "j").count().where(F.col("count") >= cfg.mass_min_anchors).select("i", "j"))
    pairs = rare.union(mass).distinct().cache()
    sc.setJobDescription("reuse 2/4: candidate pairs (self-join of rare anchors, hub pairs of mass anchors)")
    n_pairs = pairs.count()
    sc.setJobDescription("reuse 3/4: join pairs with both documents, align")
    blobs = spark.createDataFrame(docs.map(lambda r: (r[0], r[3])), "doc long, blob binary")
    joined = (pairs.join(blobs.select(F.col("doc").alias("i"), F.col("blob").alias("bi")), "i")
              .join(blobs.select(F.col("doc").alias("j"), F.col("blob").alias("bj")), "j"))
    links = joined.rdd.mapPartitions(partial(_align_partition, stats=stats, cfg=cfg))
    # collect (one job over every partition at once), not toLocalIterator (one partition at a time)
    found = sorted(links.collect(), key=lambda lk: (lk.source, lk.target))
    if progress is not None:
        progress(n_pairs, n_pairs)
    sc.setJobDescription("reuse 4/4: index rows for the store")
    entries = [IndexedDocument(ids[k], versions[ids[k]][0], words, blob, furn.get(ids[k], "[]"))
               for k, words, blob in index.map(lambda t: (t[0], t[2], t[3])).toLocalIterator()]
    n_links, n_stories = store.write_reuse([], entries, found,
                                           finish_links({x: d for x, (_, d) in versions.items()}),
                                           replace_all=True)
    store.write_stage_state(STAGE, sig.digest, "")
    sc.setJobDescription(None)  # type: ignore[arg-type]
    for frame in (pairs, by_anchor, per_doc):
        frame.unpersist()
    index.unpersist()
    stats.destroy()
    return ReuseSummary(documents=n, indexed=n, removed=removed, candidate_pairs=int(n_pairs),
                        links=n_links, stories=n_stories, rebuilt=rebuild)


def spark_stages(spark: SparkSession) -> dict[str, Stage]:
    """The corpus stages as the Spark engine runs them: reuse as Spark jobs, the later stages (narratives,
    which read the stored claims and links) on the driver, in the local engine's order."""
    stages = local_stages(1)
    stages["reuse"] = partial(spark_reuse, spark)
    return stages
