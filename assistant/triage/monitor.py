"""Spike detection on the comment stream: volume, share of negative comments, new topics.

Comments are counted in fixed buckets (5 minutes by default), per incident and for all incidents
together. Each `alerts()` call replays the last few hours of buckets:

- the usual level is a robust EWMA: a bucket that is itself a spike only moves it by a clipped
  step, so an ongoing spike does not become its own baseline within minutes;
- a bucket (or the last two or four together, which catch a doubling or a steady rise sooner) is a
  spike when it averages at least `min_count` comments a bucket, is `min_ratio` times the level, and
  its Poisson tail is below the one-sided tail of `z_threshold`; when the stream is burstier than
  Poisson, the deviation measured on it (MAD) must also exceed `z_threshold`;
- the negative share is tested the same way against the share of the preceding hours (binomial);
- a new topic is a word stem whose share of recent comments jumped against the preceding hours.
- a copy-paste campaign is a group of near-identical comments from at least four authors within the
  last hours (`duplicates.campaigns`): one alert for the comms lead, however many copies.

Consecutive spike buckets (gaps up to `cooldown_buckets`) are one episode and one alert, updated
in place under the same id until it ends. Nothing here reads a clock: `at` is the time of the
question, so tests and replays are deterministic.

Over 450 lines on purpose: one Monitor class whose detectors share the bucket replay; split apart
they would each need the same state.
"""

from __future__ import annotations

import math
import re
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from assistant.errors import InvalidInput
from assistant.models import Sentiment
from assistant.text import NO_FACT_WORDS, fold, stem
from assistant.triage.duplicates import campaigns, long_enough_for_campaign

AlertKind = Literal["volume_spike", "negative_spike", "new_topic", "campaign"]
_ALL = "*"  # the key of all incidents together
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LAST = datetime(9000, 1, 1, tzinfo=UTC)  # far from datetime.max: bucket arithmetic adds hours to it
_TERM = re.compile(r"[a-z][a-z0-9]{3,}")
# Function words the text layer's stop lists lack. A crisis's own vocabulary (the brand, the product)
# is not listed here: it is read from the stream (`stream_vocabulary`), so any brand works.
_FUNCTION_WORDS = frozenset(
    ["after", "before", "since", "because", "parce", "like", "even", "toujours", "comment", "comments"]
)


class Observation(BaseModel):
    comment_id: str
    created_at: datetime
    incident: str | None = None
    sentiment: Sentiment | float = "neutral"
    text: str = ""
    author: str | None = None  # copy-paste campaigns count distinct authors

    @property
    def negative(self) -> bool:
        if isinstance(self.sentiment, str):
            return self.sentiment == "negative"
        return self.sentiment <= -0.25


class AlertExample(BaseModel):
    comment_id: str
    text: str


class Alert(BaseModel):
    id: str = Field(description="stable for one episode: the same spike keeps its id while it lasts")
    kind: AlertKind
    incident: str | None = Field(default=None, description="None: all incidents together")
    term: str | None = Field(default=None, description="new_topic: the word that appeared")
    related_terms: list[str] = Field(default_factory=list)
    status: Literal["active", "resolved"] = "active"
    started_at: datetime
    updated_at: datetime
    bucket_minutes: int
    counts: list[int] = Field(description="per bucket since started_at: comments, negative ones, or ones "
                                          "with the term")
    totals: list[int] = Field(default_factory=list, description="all comments per bucket, for context")
    baseline: float = Field(description="usual comments per bucket, or usual share for negative/topic")
    current: float = Field(description="latest count per bucket, or latest share")
    score: float = Field(description="z-score of the latest evidence")
    ratio: float = Field(description="current / baseline")
    message: str
    examples: list[AlertExample] = Field(default_factory=list)
    escalate_to: list[str] = Field(default_factory=list, description="who must see it: comms_lead for a campaign")


@dataclass
class _Bucket:
    total: int = 0
    negative: int = 0
    terms: Counter[str] = field(default_factory=Counter)
    samples: list[tuple[str, str, bool, frozenset[str]]] = field(default_factory=list)


@dataclass
class _Episode:
    start: int
    last: int
    score: float
    baseline: float
    current: float
    ratio: float


class Monitor:
    """In-memory, deterministic stream statistics. Feed `observe()`, ask `alerts(at=...)`."""

    def __init__(
        self,
        *,
        bucket_minutes: int = 5,
        baseline_buckets: int = 48,
        warmup_buckets: int = 6,
        min_count: int = 10,
        min_ratio: float = 1.5,
        z_threshold: float = 4.5,
        negative_min: int = 8,
        negative_delta: float = 0.2,
        topic_window: int = 3,
        topic_min_docs: int = 6,
        topic_min_share: float = 0.1,
        topic_ratio: float = 5.0,
        topic_min_baseline_docs: int = 30,
        topic_z: float = 6.0,
        topic_common_share: float = 0.25,
        cooldown_buckets: int = 3,
        samples_per_bucket: int = 200,
        campaign_window_minutes: int = 360,
        campaign_max_comments: int = 5000,
    ) -> None:
        self.bucket = timedelta(minutes=bucket_minutes)
        self.bucket_minutes = bucket_minutes
        self.baseline_buckets = baseline_buckets
        self.warmup_buckets = warmup_buckets
        self.min_count = min_count
        self.min_ratio = min_ratio
        self.z = z_threshold
        self.p_value = 0.5 * math.erfc(z_threshold / math.sqrt(2))  # the same bar as a one-sided tail
        self.negative_min = negative_min
        self.negative_delta = negative_delta
        self.topic_window = topic_window
        self.topic_min_docs = topic_min_docs
        self.topic_min_share = topic_min_share
        self.topic_ratio = topic_ratio
        self.topic_min_baseline_docs = topic_min_baseline_docs
        # Dozens of words are tested at every call: a stricter bar than for the one volume series.
        self.topic_z = topic_z
        # A word in this share of the preceding hours' comments is the crisis's own vocabulary.
        self.topic_common_share = topic_common_share
        self.cooldown = cooldown_buckets
        self.samples_per_bucket = samples_per_bucket
        # Replayed on each call: the baseline window plus room for a long episode to be seen whole.
        self._replay = baseline_buckets + 24
        self._buckets: dict[str, dict[int, _Bucket]] = {}
        self._first: int | None = None
        self._latest: int | None = None
        self._surface: dict[str, Counter[str]] = {}
        self._open: dict[tuple[str, str, str], Alert] = {}
        self._closed: list[Alert] = []
        self.campaign_window = timedelta(minutes=campaign_window_minutes)
        self._stream: deque[Observation] = deque(maxlen=campaign_max_comments)
        self._seen = 0
        self._campaign_cache: tuple[tuple[int, datetime], list[Alert]] | None = None

    # ------------------------------------------------------------ input

    def observe(
        self,
        comment_id: str,
        created_at: datetime,
        incident: str | None = None,
        sentiment: Sentiment | float = "neutral",
        text: str = "",
        author: str | None = None,
    ) -> None:
        self.add(Observation(comment_id=comment_id, created_at=created_at, incident=incident,
                             sentiment=sentiment, text=text, author=author))

    # A comment says when it was written, but the writer is a client: a wrong date must not move the
    # stream's "now" (a date in 2030 would resolve every alert and prune the history).
    MAX_SKEW = timedelta(minutes=5)

    @property
    def memory(self) -> timedelta:
        """How far back the monitor keeps buckets: an older comment cannot be placed in the stream."""
        return self.bucket * (self._replay + self.topic_window + self.baseline_buckets)

    def placed(self, created_at: datetime | None, arrived: datetime) -> datetime:
        """When a comment counts: when it was written if that is plausible, else when it arrived.

        Not plausible: after its arrival (clock skew aside), before 1970, or older than what the monitor
        still remembers of the stream (a replay of an old stream in order is fine: it starts the stream)."""
        arrived = _aware(arrived)
        if created_at is None:
            return arrived
        created = _aware(created_at)
        oldest = _EPOCH + timedelta(days=1)
        if self._latest is not None:
            oldest = max(oldest, self._start(self._latest) - self.memory)
        if created > arrived + self.MAX_SKEW or created < oldest:
            return arrived
        return min(created, arrived)

    def add(self, obs: Observation) -> None:
        check_placeable(obs.created_at)
        b = self._index(obs.created_at)
        self._first = b if self._first is None else min(self._first, b)
        if self._latest is None or b > self._latest:
            self._latest = b
            self._prune(b)
        terms = self._terms(obs.text)
        negative = obs.negative
        if long_enough_for_campaign(obs.text):  # short texts never make a campaign: not kept for it
            self._stream.append(obs)
            self._seen += 1
        for key in {_ALL, obs.incident or _ALL}:
            bucket = self._buckets.setdefault(key, {}).setdefault(b, _Bucket())
            bucket.total += 1
            bucket.negative += negative
            bucket.terms.update(terms)
            if len(bucket.samples) < self.samples_per_bucket:
                bucket.samples.append((obs.comment_id, obs.text, negative, terms))

    def add_many(self, observations: Iterable[Observation]) -> None:
        for obs in observations:
            self.add(obs)

    # ------------------------------------------------------------ output

    def alerts(self, at: datetime | None = None, *, include_resolved: bool = False) -> list[Alert]:
        """Active alerts at `at` (default: the latest comment's time), newest first."""
        if at is not None and not _EPOCH + timedelta(days=1) <= _aware(at) <= _LAST:
            raise InvalidInput(f"at: {at:%Y-%m-%d} is outside the dates the monitor answers for (1970-9000)")
        if self._latest is None or self._first is None:
            return []
        now = _aware(at) if at is not None else self._start(self._latest + 1)
        now_b = self._index(now - timedelta(microseconds=1))
        frac = (now - self._start(now_b)) / self.bucket
        seen: set[tuple[str, str, str]] = set()
        for key, buckets in self._buckets.items():
            if key == _ALL and self._one_incident(now_b):
                continue  # the total is that incident's own series: its alerts would be duplicates
            start = max(self._first, now_b - self._replay)
            if now_b - self._first < self.warmup_buckets:
                continue  # no history yet: any level would be a guess
            volume, negative = self._replay_key(buckets, start, now_b, frac)
            for kind, episode in (("volume_spike", volume), ("negative_spike", negative)):
                if episode is not None:
                    seen.add(self._upsert(kind, key, "", episode, buckets, now_b, now))
            for term, episode, related in self._topics(key, buckets, now_b):
                seen.add(self._upsert("new_topic", key, term, episode, buckets, now_b, now, related))
        for slot in [s for s in self._open if s not in seen]:
            alert = self._open.pop(slot)
            self._closed.append(alert.model_copy(update={"status": "resolved"}))
        out = list(self._open.values()) + (self._closed if include_resolved else []) + self.campaigns(now)
        return sorted(out, key=lambda a: (a.updated_at, a.id), reverse=True)

    # ------------------------------------------------------------ state a store keeps

    def episodes(self) -> tuple[dict[tuple[str, str, str], Alert], list[Alert]]:
        """Open alert episodes by slot (kind, incident or '*', topic stem) and resolved ones."""
        return dict(self._open), list(self._closed)

    def restore_episodes(self, open_: dict[tuple[str, str, str], Alert], closed: list[Alert]) -> None:
        """Continue the episodes another process (or this one before a restart) saw: same ids, same start."""
        self._open = dict(open_)
        self._closed = list(closed)

    def count(self) -> int:
        """Comments in the buckets the monitor still remembers."""
        return sum(b.total for b in self._buckets.get(_ALL, {}).values())

    # ------------------------------------------------------------ copy-paste campaigns

    def campaigns(self, at: datetime) -> list[Alert]:
        """Copy-paste campaigns among the comments of the last `campaign_window` before `at`.

        Per-comment triage cannot see them; here they become one alert for the comms lead. Computed
        on demand (MinHash groups, ~0.2 s for 2,000 comments) and cached until a comment arrives.
        """
        key = (self._seen, at)
        if self._campaign_cache is not None and self._campaign_cache[0] == key:
            return self._campaign_cache[1]
        window = [o for o in self._stream if at - self.campaign_window <= _aware(o.created_at) <= at]
        found = campaigns([o.text for o in window], [o.author for o in window])
        out = []
        for camp in found:
            members = [window[i] for i in camp.members]
            started = min(_aware(o.created_at) for o in members)
            out.append(Alert(
                id=f"campaign:{camp.id}", kind="campaign", started_at=started, updated_at=at,
                bucket_minutes=self.bucket_minutes, counts=[camp.size], totals=[len(window)], baseline=0.0,
                current=float(camp.size), score=float(camp.authors), ratio=float(camp.size) / max(1, len(window)),
                message=(f"Copy-paste campaign: {camp.size} near-identical comments from {camp.authors} authors "
                         f"since {started:%Y-%m-%d %H:%M} UTC; one answer for all, the comms lead decides."),
                examples=[AlertExample(comment_id=o.comment_id, text=o.text[:280]) for o in members[:3]],
                escalate_to=["comms_lead"],
            ))
        self._campaign_cache = (key, out)
        return out

    # ------------------------------------------------------------ volume and negative share

    def _replay_key(self, buckets: dict[int, _Bucket], start: int, now_b: int,
                    frac: float) -> tuple[_Episode | None, _Episode | None]:
        empty = _Bucket()
        counts = [buckets.get(j, empty).total for j in range(start, now_b + 1)]
        negs = [buckets.get(j, empty).negative for j in range(start, now_b + 1)]
        warm = counts[: self.warmup_buckets]
        level = sum(warm) / max(1, len(warm))
        residuals: deque[float] = deque(maxlen=self.baseline_buckets)
        neg_hist: deque[tuple[int, int]] = deque(maxlen=self.baseline_buckets)
        alpha = 2 / (self.baseline_buckets / 2 + 1)  # EWMA span of half the baseline window
        vol_flags: list[tuple[int, float, float, float, float] | None] = []
        neg_flags: list[tuple[int, float, float, float, float] | None] = []
        expecteds: list[float] = []
        neg_sums = [0, 0]
        for i, x in enumerate(counts):
            j = start + i
            scale = frac if j == now_b else 1.0
            if j == now_b and frac < 0.2:
                break  # a bucket a minute old says nothing yet
            expected = max(level, 0.5) * scale
            expecteds.append(expected)
            flag = self._volume_test(counts[: i + 1], expecteds, residuals, scale)
            vol_flags.append((j, flag[0], expected / scale, x / scale, x / expected) if flag else None)
            neg_flags.append(self._negative(j, negs, counts, i, neg_hist, neg_sums))
            if j < now_b:
                spread = max(math.sqrt(max(level, 0.5)), 1.0)
                if not flag:
                    residuals.append(x - level)
                # Clipped step: a spike bucket nudges the level, it does not set it.
                level += alpha * (min(x, level + 3 * spread) - level)
                if neg_flags[-1] is None:
                    if len(neg_hist) == neg_hist.maxlen:
                        old_n, old_t = neg_hist[0]
                        neg_sums[0] -= old_n
                        neg_sums[1] -= old_t
                    neg_hist.append((negs[i], counts[i]))
                    neg_sums[0] += negs[i]
                    neg_sums[1] += counts[i]
        return self._episode(vol_flags, now_b), self._episode(neg_flags, now_b)

    def _volume_test(self, counts: list[int], expecteds: list[float], residuals: deque[float],
                     scale: float) -> tuple[float] | None:
        """(z,) when the last bucket, alone or with the ones before it, is a spike; None otherwise.

        Several windows: one bucket catches a burst at once, two catch a doubling within ten minutes,
        four catch a steady 1.5x rise that no single bucket shows.
        """
        x, expected = counts[-1], expecteds[-1]
        if x <= expected:
            return None
        mad = -1.0
        for width, min_ratio in ((1, self.min_ratio), (2, self.min_ratio), (4, 1 + (self.min_ratio - 1) / 2)):
            if len(counts) < width:
                break
            count, mean = sum(counts[-width:]), sum(expecteds[-width:])
            if count < self.min_count * width or count < min_ratio * mean:
                continue  # the cheap tests first: most buckets stop here
            if mad < 0:
                mad = _mad(residuals) * 1.4826 * scale
            dispersion = mad * math.sqrt(width)
            # Exact Poisson tail: at five comments a bucket the normal approximation is far too kind.
            # When the stream is burstier than Poisson, the observed deviation (MAD) must agree too.
            z = (count - mean) / max(math.sqrt(mean), dispersion, 1e-9)
            if _poisson_sf(count, mean) <= self.p_value and (dispersion <= math.sqrt(mean) or z >= self.z):
                return (z,)
        return None

    def _negative(self, j: int, negs: list[int], counts: list[int], i: int, hist: deque[tuple[int, int]],
                  sums: list[int]) -> tuple[int, float, float, float, float] | None:
        if len(hist) < self.warmup_buckets or negs[i] == 0:
            return None
        p0 = (sums[0] + 1) / (sums[1] + 4)  # a weak prior: one negative in four
        best = None
        for width in (1, 2):
            if i + 1 < width:
                continue
            k = negs[i] + (negs[i - 1] if width == 2 else 0)
            n = counts[i] + (counts[i - 1] if width == 2 else 0)
            if n == 0 or k < self.negative_min or k / n - p0 < self.negative_delta:
                continue
            share = k / n
            z = (k - n * p0) / math.sqrt(n * p0 * (1 - p0))
            if z >= self.z:
                cand = (j, z, p0, share, share / p0)
                best = cand if best is None or z > best[1] else best
        return best

    def _episode(self, flags: list[tuple[int, float, float, float, float] | None], now_b: int) -> _Episode | None:
        hits = [f for f in flags if f is not None]
        if not hits or hits[-1][0] < now_b - self.cooldown:
            return None
        last = hits[-1]
        start = last[0]
        for f in reversed(hits[:-1]):
            if start - f[0] > self.cooldown:
                break
            start = f[0]
        first = next(f for f in hits if f[0] == start)
        return _Episode(start=start, last=last[0], score=round(last[1], 2), baseline=round(first[2], 3),
                        current=round(last[3], 3), ratio=round(last[4], 2))

    # ------------------------------------------------------------ new topics

    def _topics(self, key: str, buckets: dict[int, _Bucket],
                now_b: int) -> list[tuple[str, _Episode, list[str]]]:
        recent = [buckets[j] for j in range(now_b - self.topic_window + 1, now_b + 1) if j in buckets]
        base = [buckets[j] for j in range(now_b - self.topic_window - self.baseline_buckets + 1,
                                          now_b - self.topic_window + 1) if j in buckets]
        n = sum(b.total for b in recent)
        m = sum(b.total for b in base)
        if m < self.topic_min_baseline_docs or n < self.topic_min_docs:
            return []
        r_df: Counter[str] = Counter()
        for b in recent:
            r_df.update(b.terms)
        b_df: Counter[str] = Counter()
        for b in base:
            b_df.update(b.terms)
        common = self.stream_vocabulary(b_df, m)
        found: list[tuple[str, float, float, float]] = []
        for term, r in r_df.items():
            if r < self.topic_min_docs or r / n < self.topic_min_share or term in common:
                continue
            p_b = (b_df[term] + 0.5) / (m + 1)
            ratio = (r / n) / p_b
            z = (r - n * p_b) / math.sqrt(n * p_b * (1 - p_b))
            if ratio >= self.topic_ratio and z >= self.topic_z:
                found.append((term, z, p_b, ratio))
        # Co-occurring words tie: the rarest before, then the longest, names the topic ("hospital").
        found.sort(key=lambda t: (-round(t[1], 1), t[2], -len(t[0]), t[0]))
        out: list[tuple[str, _Episode, list[str]]] = []
        docs = {t: self._docs_with(recent, t) for t, *_ in found}
        taken: list[str] = []
        for term, z, p_b, ratio in found:
            # Words that travel together ("hospital", "child") are one topic, named by the strongest.
            lead = next((t for t in taken if _overlap(docs[t], docs[term]) >= 0.6), None)
            if lead is not None:
                out[taken.index(lead)][2].append(self._display(term))
                continue
            taken.append(term)
            first = min(j for j in range(now_b - self.topic_window + 1, now_b + 1)
                        if j in buckets and buckets[j].terms[term])
            ep = _Episode(start=first, last=now_b, score=round(z, 2), baseline=round(p_b, 4),
                          current=round(r_df[term] / n, 4), ratio=round(ratio, 2))
            out.append((term, ep, []))
        return out

    def stream_vocabulary(self, doc_freq: Counter[str], docs: int) -> frozenset[str]:
        """Stems in at least `topic_common_share` of `docs` comments (the brand, the product): the words
        every comment of this crisis uses are never a new topic, whatever the brand."""
        if docs <= 0:
            return frozenset()
        return frozenset(t for t, k in doc_freq.items() if k / docs >= self.topic_common_share)

    @staticmethod
    def _docs_with(recent: list[_Bucket], term: str) -> set[str]:
        return {cid for b in recent for cid, _, _, terms in b.samples if term in terms}

    # ------------------------------------------------------------ alerts

    def _upsert(self, kind: str, key: str, term: str, ep: _Episode, buckets: dict[int, _Bucket], now_b: int,
                now: datetime, related: list[str] | None = None) -> tuple[str, str, str]:
        slot = (kind, key, term)
        old = self._open.get(slot)
        start_b = ep.start
        if old is not None:
            start_b = min(start_b, self._index(old.started_at))
        empty = _Bucket()
        span = [buckets.get(j, empty) for j in range(start_b, now_b + 1)]
        if kind == "volume_spike":
            counts = [b.total for b in span]
        elif kind == "negative_spike":
            counts = [b.negative for b in span]
        else:
            counts = [b.terms[term] for b in span]
        incident = None if key == _ALL else key
        started = self._start(start_b)
        alert = Alert(
            id=old.id if old is not None else _alert_id(kind, key, term, started),
            kind=kind,  # type: ignore[arg-type]
            incident=incident,
            term=self._display(term) if term else None,
            related_terms=sorted(set(related or [])),
            started_at=started,
            updated_at=now,
            bucket_minutes=self.bucket_minutes,
            counts=counts,
            totals=[b.total for b in span],
            baseline=ep.baseline,
            current=ep.current,
            score=ep.score,
            ratio=ep.ratio,
            message=self._message(kind, incident, term, ep, started, sum(counts), sum(b.total for b in span)),
            examples=self._examples(kind, term, span),
        )
        self._open[slot] = alert
        return slot

    def _message(self, kind: str, incident: str | None, term: str, ep: _Episode, started: datetime,
                 hits: int, total: int) -> str:
        where = f"incident {incident}" if incident else "all comments"
        since = f"since {started:%Y-%m-%d %H:%M} UTC"
        per = f"{self.bucket_minutes} min"
        if kind == "volume_spike":
            return (f"Volume spike on {where}: {ep.current:.0f} comments per {per} vs ~{ep.baseline:.1f} usually "
                    f"({ep.ratio:.1f}x, z={ep.score:.1f}), {since}; {total} comments so far.")
        if kind == "negative_spike":
            return (f"Negative comments jump on {where}: {ep.current:.0%} negative vs {ep.baseline:.0%} usually "
                    f"(z={ep.score:.1f}), {since}; {hits} negative of {total}.")
        return (f"New topic on {where}: '{self._display(term)}' in {ep.current:.0%} of recent comments vs "
                f"{ep.baseline:.1%} before ({ep.ratio:.0f}x), {since}; {hits} comments mention it.")

    def _examples(self, kind: str, term: str, span: list[_Bucket]) -> list[AlertExample]:
        picked: list[AlertExample] = []
        for b in reversed(span):
            for cid, text, negative, terms in b.samples:
                if kind == "negative_spike" and not negative:
                    continue
                if kind == "new_topic" and term not in terms:
                    continue
                picked.append(AlertExample(comment_id=cid, text=text[:280]))
                if len(picked) == 3:
                    return picked
        return picked

    # ------------------------------------------------------------ helpers

    def _one_incident(self, now_b: int) -> bool:
        window = range(now_b - self._replay, now_b + 1)
        everything = self._buckets.get(_ALL, {})
        total = sum(everything[j].total for j in window if j in everything)
        others = [k for k in self._buckets if k != _ALL]
        if len(others) != 1:
            return False
        own = self._buckets[others[0]]
        return sum(own[j].total for j in window if j in own) == total

    def _terms(self, text: str) -> frozenset[str]:
        out = set()
        for word in _TERM.findall(fold(text)):
            if word in NO_FACT_WORDS or word in _FUNCTION_WORDS:
                continue
            s = stem(word)
            self._surface.setdefault(s, Counter())[word] += 1
            out.add(s)
        return frozenset(out)

    def _display(self, term: str) -> str:
        forms = self._surface.get(term)
        return forms.most_common(1)[0][0] if forms else term

    def _index(self, when: datetime) -> int:
        return (_aware(when) - _EPOCH) // self.bucket

    def _start(self, index: int) -> datetime:
        return _EPOCH + index * self.bucket

    def _prune(self, latest: int) -> None:
        horizon = latest - self._replay - self.topic_window - self.baseline_buckets - 2
        for buckets in self._buckets.values():
            for j in [j for j in buckets if j < horizon]:
                del buckets[j]
        # The stream starts at its oldest remembered bucket: an isolated old comment, once pruned, does
        # not make a fresh stream look warmed up.
        kept = [min(b) for b in self._buckets.values() if b]
        if self._first is not None:
            self._first = max(self._first, min(kept, default=latest))


def check_placeable(when: datetime) -> None:
    if not _EPOCH <= _aware(when) <= _LAST:
        raise ValueError(f"created_at {when:%Y-%m-%d}: outside what the monitor can place")


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _mad(values: Iterable[float]) -> float:
    data = sorted(values)
    if len(data) < 6:
        return 0.0
    med = data[len(data) // 2]
    dev = sorted(abs(v - med) for v in data)
    return dev[len(dev) // 2]


def _poisson_sf(k: int, mu: float) -> float:
    """P(X >= k) for X ~ Poisson(mu), summed from k upwards (k is above mu where this is asked)."""
    if k <= 0:
        return 1.0
    mu = max(mu, 1e-9)
    term = math.exp(-mu + k * math.log(mu) - math.lgamma(k + 1))
    total, i = 0.0, k
    while term > 1e-300 and term > total * 1e-12:
        total += term
        i += 1
        term *= mu / i
    return min(1.0, total)


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def _alert_id(kind: str, key: str, term: str, started: datetime) -> str:
    parts = [kind, key if key != _ALL else "all", f"{started:%Y%m%dT%H%M}"]
    if term:
        parts.insert(2, term)
    return ":".join(parts)
