"""Deciding what a visitor's request refers to, from the NLU's ranking and the guide.

The response selector ranks every guide entry (``request/juminhyo``, ``section/koseki``,
…). A confident, clear winner is taken; otherwise an entry the visitor named outright
is taken; otherwise the guide asks back with the best few candidates. Pure logic, so
it is tested without a running server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from bot.guide_data import Guide
from bot.matcher import GuideMatcher, Match
from bot.places import RELATIVE

# Retrieval intent → kind of guide entry it names.
RETRIEVAL_KINDS = {"request": ("procedure", "redirect", "clarification"), "section": ("section",),
                   "program": ("program",), "facility": ("facility",)}
# The best place is taken when it is not a long shot and clearly ahead of every other place.
# The SVM's softmaxed margins are small for long narratives, so a relative lead says more than
# an absolute level. 0.20, not 0.15, since each language has five more examples per entry: the
# selector is surer, and at 0.15 a question about the way to Haneda airport reached a counter.
# 0.35 since 2026-12-07, weighed by issue 13's cost (a wrong counter costs a trip, an ask-back a
# tap): on every development and held-out question (8,244) the answers between 0.20 and 0.35
# were wrong 28 times in 97 (between 0.35 and 0.40, 3 in 34). At 0.35, 26 confidently wrong
# answers went (16 to an ask-back, 7 to the right counter by a name the visitor used, 2 to a
# tap), 4 came, and 30 right answers became an ask-back with the right button: right at once
# 94.9 → 94.6 %, within one tap 96.6 → 96.6 %, confidently wrong 1.9 → 1.7 % (held-out set 1,
# right at once, 98.0 → 97.4 %: two questions to a tap). The bar is also the selector's least
# to overrule a name the visitor used (_overruled).
MIN_CONFIDENCE = 0.35
LEAD_RATIO = 3.0
# A name the visitor used is taken when the selector is unsure, unless it is at least this much
# surer of another place: 「ほいくえんの あきを ききたいです」 uses a name of the city nurseries
# (保育園) to ask for a vacancy, which the selector puts at こども家庭支援課 (0.70 against 0.24).
# On the dev and held-out sets, of 27 questions where the name decided against the selector's
# best place, 8 were confidently wrong and 7 right at once. At 2.0, two of the wrong ones ask
# back instead and no right answer changed; at 1.0 (any place ranked above the name) about six
# and three would, and 「パスポートのことで」 at 0.28 against 0.30 would ask back too.
# A vague word (子ども, 証明書) is overruled the same way, against its choices' places together:
# 「夜中に2歳の子どもが39度の熱を出しました」 was asked which child procedure (児童手当, 母子手帳,
# 保育園) it meant, with no button for the night clinics the selector put at 0.57 against 0.01;
# it now gets the selector's guesses. 「住所変更ってどの窓口？」 (転居届 among the choices) keeps
# the question, which names 戸籍課 at once.
NAME_OVERRULED = 2.0
# A further guess beside the best one must not be a long shot: with ~380 entries, an entry
# the selector knows nothing about still gets ~0.003.
GUESS_MIN_CONFIDENCE = 0.05
# Question types that are about a guide entry: 「会計室はどういう仕事をしている部署ですか」 is a
# section or a program question, and the guide answers both the same way, from the entry.
ENTRY_QUESTION_TYPES = frozenset({"request", "section", "program", "facility", "ask_what_to_bring",
                                  "ask_fee", "ask_floor", "ask_online"})
# The FallbackClassifier's threshold in config.yml (tests/unit/test_routing.py checks they agree).
FALLBACK_THRESHOLD = 0.6
# An out-of-scope question gets the selector's guesses only while the question type leaves
# some doubt. Ranking every entry, the selector always has a best one, and when the type is
# sure it is a guess about nothing the guide has: 「あなたは何歳なの？」 → 道路の損傷,
# 「近くにコンビニある？」 → コンビニ交付. On the development and held-out sets 57 questions were
# typed out of scope; 23 got guesses, 21 of them were about nothing in the guide (types 0.64
# to 1.0, 18 at 0.93 or more) and the 2 that were (a nursery's phone, the ward's newsletter)
# had 0.78 and 0.82.
OUT_OF_SCOPE_SURE = 0.9
# A selector this sure of one place outweighs a question type that is unsure (below the
# fallback threshold) or leans out of scope without being sure of it. The question type,
# trained on far fewer examples per language, is what fails in another language: "there is a
# hornets nest on my balcany" (fallback) with the hornet entry at 0.998, "Onde faço a troca da
# carteira de motorista…" (out of scope 0.85) with the driving licence at 1.0. On the three
# development sets (1,440), at 0.9: 16 questions go from an ask-back or the desk to right at
# once, 2 questions about nothing at the office get a counter (a convenience store →
# コンビニ交付, 0.9x); at 0.95 15 and 2, at 0.98 11 and 1, at 0.8 17 and 4. Held-out: none.
# Since the selector has a class of its own for questions about nothing here (SELECTOR_OUTSIDE),
# a selector this sure also holds that class under 0.1, and it outweighs a question type that
# is sure of out of scope too: on development sets 1-16 (6,812; 2026-12-07) the 9 questions
# typed out of scope at 0.9 or more with the selector at 0.9 or more were all about an entry
# (「マイナカードの暗証番号忘れちゃった」 0.92 against the PIN entry at 0.99, "yochien for next
# april, how to apply?") and got the desk alone; none about nothing here was among them.
SELECTOR_SURE = 0.9

# The selector ranks questions about nothing the guide has as a class of its own
# (rasa_plugins.entry_selector), beside the entries. When the guide would ask back, or the
# question type says out of scope without being sure, and that class is the selector's most
# likely one with at least OUTSIDE_LIKELY of its confidence, the question is most likely not
# one for the office: the visitor is sent to the information desk rather than asked which of
# several unrelated entries they meant (a question about lottery tickets was asked whether it
# meant volunteering or a residence card). At 0.5 (more than all the entries together), on
# development sets 1–10 (4,710), 23 questions about nothing at the office went from an
# ask-back to the desk and no other answer changed. 0.3 since the out-of-scope examples of
# 2026-12-06 (personal matters, chit-chat): on sets 1–12 (5,490) 10 more questions about
# nothing here go to the desk (a birthday present, a hair salon, a flat car battery) and one
# ask-back with the right button does too (sightseeing in the ward, the class at 0.39); the
# held-out sets have none between. At 0.4, 5 and none; at 0.2, 11 and one. The class's key is
# the NLU intent whose examples train it; the selector (rasa_plugins.entry_selector) reads
# it from here.
SELECTOR_OUTSIDE = "out_of_scope"
OUTSIDE_LIKELY = 0.3


# A message that says only whose or what matter it is: 「母のことで相談です」, 「学校のことで
# ちょっと…」, 「お金のことで困ってて…」, 「書類を出しに来ました」. The selector still ranks a best
# entry, often surely (介護 for a mother, 0.9 and more), but the visitor has not said what they
# need: the guesses and the information desk, not a counter. Only these words, and nothing after
# them but kana and punctuation: 「母のことで相談です。介護保険の申請を」 says what, and
# 「子どものことで」 has its own choices (child_any). So too a message that names no matter at
# all: someone to listen (「ちょっと話を聞いてほしいことがあって」), a matter already under way
# (「先週電話した件で来ました」), what the office is for (「ここって何ができるところ？」).
KANA = r"[ぁ-んー〜、。….!?\s]*"
ONLY_A_TOPIC = re.compile(
    r"^(?:(?:私|わたし|僕|俺|うち)の)?"
    r"(?:" + RELATIVE + r"|家内|妻|夫|主人|旦那|嫁|孫|家族|親|おふくろ|おやじ"
    r"|お金|おかね|学校|がっこう|書類|しょるい|手続き|てつづき)"
    r"の(?:こと|件)で" + KANA + r"(?:相談|聞きた|伺いた|話|来|困)?" + KANA + r"$"
    # 「書類を出しに来ました」: which papers, for what, is not said (「婚姻届を出しに来ました」 is).
    r"|^(?:書類|しょるい|申請書|用紙)を(?:出し|提出し|持って|もって)に?(?:来|き)" + KANA + r"$"
    r"|^" + KANA + r"(?:困って" + KANA + r")?(?:誰か|だれか)?に?(?:話|はなし)を(?:聞いて|きいて)"
    r"(?:ほし|もらい)" + KANA + r"$"
    r"|^" + KANA + r"相談(?:したい|が|に)" + KANA + r"(?:来|き)?" + KANA + r"$"
    r"|^(?:先週|先日|この前|昨日|きのう|さっき|前に)?" + KANA + r"(?:電話|でんわ)(?:した|で話した|で言われた)"
    + KANA + r"(?:件|けん)" + KANA + r"(?:来|き)?" + KANA + r"$"
    r"|^(?:ここ|区役所)(?:って|は)" + KANA + r"(?:何|なに)(?:が|を)" + KANA
    + r"(?:できる|出来る)?" + KANA + r"(?:所|ところ)?" + KANA + r"$")


def only_a_topic(text: str) -> bool:
    """Whether a (normalised) message names only whose or what matter it is (ONLY_A_TOPIC)."""
    return bool(ONLY_A_TOPIC.match(text.strip()))


# A business or a doctor recommended: 「補聴器のいい店知らんか」, 「このへんでいい小児科ある？」,
# 「テントを借りられる業者、知りませんか」. The office recommends none, though the selector finds
# a counter for the words around (補聴器 → 障害者の補装具, 小児科 → 子育ての相談): the guesses and
# the desk. Not a clinic asked for by when it is open (「夜間に診てもらえる病院」: 休日急患).
BUSINESS = r"(?:お?店|業者|病院|小児科|歯医者|医者|クリニック|塾|不動産屋|工務店)"
ASKS_FOR_A_BUSINESS = re.compile(
    r"(?:いい|良い|よい|おすすめの?|オススメの?|評判の(?:いい|良い)|安い)" + BUSINESS
    + r"|" + BUSINESS + r"(?:さん)?(?:を|は|、)?\s*(?:知らん|知りませんか|知らない|紹介して|おすすめ)")


def asks_for_a_business(text: str) -> bool:
    """Whether a message asks to be recommended a business (ASKS_FOR_A_BUSINESS)."""
    return bool(ASKS_FOR_A_BUSINESS.search(text))


@dataclass(frozen=True)
class Resolution:
    kind: Optional[str]          # procedure, redirect, clarification, section, program, facility
    id: Optional[str]
    candidates: list[Match] = field(default_factory=list)  # for asking back
    # The selector's confidence in the entry's place, summed over its entries; 0.0 when the
    # entry was named or tapped rather than ranked.
    confidence: float = 0.0

    @property
    def found(self) -> bool:
        return self.id is not None


def destination_key(guide: Guide, kind: str, item_id: str) -> tuple[str, str]:
    """Where an entry sends the visitor: its section, or the entry itself when it is not a counter."""
    if kind == "procedure":
        return ("section", guide.procedures[item_id].section)
    if kind == "section":
        return ("section", item_id)
    return (kind, item_id)


def title_of(guide: Guide, kind: str, item_id: str) -> str:
    obj = guide.table(kind)[item_id]
    return getattr(obj, "title", None) or getattr(obj, "name", None) or obj.question


def _selector_scores(parse_data: dict):
    """(key, confidence) of every class the response selector ranked, as Rasa's parse gives them."""
    for key, result in (parse_data.get("response_selector") or {}).items():
        if key == "all_retrieval_intents" or not isinstance(result, dict):
            continue
        for entry in result.get("ranking") or []:
            yield entry.get("intent_response_key") or "", float(entry.get("confidence") or 0.0)


def selector_ranking(parse_data: dict) -> list[tuple[str, float]]:
    """(item id, confidence) from the response selector, best first, keys like 'request/juminhyo'."""
    return sorted(((key, conf) for key, conf in _selector_scores(parse_data) if "/" in key),
                  key=lambda kv: -kv[1])


def outside_likely(parse_data: dict) -> bool:
    """Whether the selector's most likely class is that the question is about nothing the
    guide has, with at least OUTSIDE_LIKELY."""
    scores = list(_selector_scores(parse_data))
    outside = max((conf for key, conf in scores if key == SELECTOR_OUTSIDE), default=0.0)
    return outside >= OUTSIDE_LIKELY and all(conf <= outside for key, conf in scores if key != SELECTOR_OUTSIDE)


def about_an_entry(intent_ranking: list[dict]) -> bool:
    """Whether the NLU's doubt is only between two ways of asking about a guide entry.

    The FallbackClassifier asks back when no question type reaches its threshold, also when the
    doubt is between two kinds of question about one entry (program 0.52, section 0.45 for
    「会計室はどういう仕事をしている部署ですか」), which the guide answers alike. When the two best
    types are both about an entry and together reach the threshold, the entry's place can be
    given as for a request. A doubt with anything else (section 0.58, call_staff 0.25 for
    「係の人と話したいんですが」) still asks back: the visitor may want a person, not an entry.
    """
    ranked = sorted((i for i in intent_ranking or [] if i.get("name") != "nlu_fallback"),
                    key=lambda i: -float(i.get("confidence") or 0.0))[:2]
    return len(ranked) == 2 and all(i.get("name") in ENTRY_QUESTION_TYPES for i in ranked) \
        and sum(float(i.get("confidence") or 0.0) for i in ranked) >= FALLBACK_THRESHOLD


def sure_out_of_scope(intent: dict | None) -> bool:
    """Whether the question type says out of scope with no doubt left for a guess."""
    intent = intent or {}
    confidence = float(intent.get("confidence") or 0.0)
    return intent.get("name") == "out_of_scope" and confidence >= OUT_OF_SCOPE_SURE


def selector_sure(res: Resolution) -> bool:
    """Whether the selector alone is sure enough of the resolved place to answer, whatever the
    question type says (SELECTOR_SURE)."""
    return res.found and res.confidence >= SELECTOR_SURE


def ranked_entries(guide: Guide, ranking: list[tuple[str, float]]) -> list[Match]:
    """The selector's ranking as guide entries, skipping keys the guide no longer has."""
    ranked = []
    for key, conf in ranking:
        family, _, item_id = key.partition("/")
        kind = guide.kind_of(item_id)
        if kind in RETRIEVAL_KINDS.get(family, ()):
            ranked.append(Match(kind, item_id, title_of(guide, kind, item_id), conf))
    return ranked


def resolve(guide: Guide, matcher: GuideMatcher, text: str, ranking: list[tuple[str, float]],
            explicit_id: Optional[str] = None, named_ids: Optional[list[str]] = None) -> Resolution:
    """What the visitor is asking about, or the candidates to ask back with.

    ``named_ids`` are the guide ids the NLU's lookup tables found in the text; without
    them (or when staff added a synonym since the last training) the matcher looks.
    """
    if explicit_id:
        kind = guide.kind_of(explicit_id)
        return Resolution(kind, explicit_id if kind else None)

    # The selector ranks all guide entries jointly; its ranking is trusted over DIET's
    # guess of the question type (「戸籍課で住民票」 is both a section and a request).
    ranked = ranked_entries(guide, ranking)

    mass: dict[tuple, float] = {}
    if ranked:
        # Doubt between two entries matters only when they send the visitor to different
        # places (国保の加入 or 脱退: both 保険年金課), so confidence is summed per place.
        for m in ranked:
            place = destination_key(guide, m.kind, m.id)
            mass[place] = mass.get(place, 0.0) + m.score
        places = sorted(mass.items(), key=lambda kv: -kv[1])
        best_place, best_mass = places[0]
        runner_up = places[1][1] if len(places) > 1 else 0.0
        if best_mass >= MIN_CONFIDENCE and best_mass >= LEAD_RATIO * runner_up:
            top = next(m for m in ranked if destination_key(guide, m.kind, m.id) == best_place)
            errand = _errand_at_another_place(guide, matcher, text, top, ranked)
            if errand:
                return Resolution(errand.kind, errand.id)
            return Resolution(top.kind, top.id, confidence=best_mass)

    if named_ids:
        named = [Match(k, i, title_of(guide, k, i), 1.0)
                 for i in dict.fromkeys(named_ids) if (k := guide.kind_of(i))]
    else:
        named = matcher.mentioned(text)
    if len(named) == 1 and not _overruled(_named_places(guide, named[0]), mass):
        return Resolution(named[0].kind, named[0].id)

    candidates: dict[tuple[str, str], Match] = {}
    for m in [*named, *ranked[:3], *matcher.similar(text)]:
        if m.kind != "clarification":
            candidates.setdefault((m.kind, m.id), m)
    return Resolution(None, None, list(candidates.values())[:4])


def _errand_at_another_place(guide: Guide, matcher: GuideMatcher, text: str, top: Match,
                             ranked: list[Match]) -> Optional[Match]:
    """The errand the visitor named, when the selector chose a section and the errand is done
    at another place.

    A section named as the place to go weighs most with the selector: 「生活衛生課で国民健康保険の
    保険証の再発行をしてもらえますか」 put 生活衛生課 at 0.86 and the card at 0.12, but the visitor
    came for the card, which is 保険年金課's; 「土木事務所に水道管を直してほしい」 is the Waterworks
    Bureau's. The errand is one the visitor's words name (the matcher's, not the lookup tables':
    「定年退職」 is no errand named) and that the selector does not take for a long shot
    (GUESS_MIN_CONFIDENCE): 「南六浦保育園で一時保育を」 names 一時保育, which the nursery does
    itself, at 0.002. Only when every such errand is at one place: errands at two places are
    a question the selector answers better.
    """
    if top.kind != "section":
        return None
    score = {(m.kind, m.id): m.score for m in ranked}
    errands = [m for m in matcher.mentioned(text) if m.kind in ("procedure", "redirect")
               and score.get((m.kind, m.id), 0.0) >= GUESS_MIN_CONFIDENCE]
    places = {destination_key(guide, m.kind, m.id) for m in errands}
    if len(places) != 1 or ("section", top.id) in places:
        return None
    return max(errands, key=lambda m: score[(m.kind, m.id)])


def _named_places(guide: Guide, named: Match) -> set[tuple[str, str]]:
    """Where a name the visitor used sends them: its entry's place; for a vague word (a
    clarification's: 子ども, 証明書), also the places of the choices it asks between."""
    places = {destination_key(guide, named.kind, named.id)}
    if named.kind == "clarification":
        places |= {destination_key(guide, kind, c) for c in guide.clarifications[named.id].choices
                   if (kind := guide.kind_of(c))}
    return places


def _overruled(places: set[tuple[str, str]], mass: dict[tuple, float]) -> bool:
    """Whether the selector, ranking the named places, is NAME_OVERRULED times surer of another
    than of them together."""
    named = [mass[place] for place in places if place in mass]
    best = max(mass.values(), default=0.0)
    return bool(named) and best >= MIN_CONFIDENCE and best >= NAME_OVERRULED * sum(named)


def guesses(guide: Guide, res: Resolution, ranking: list[tuple[str, float]], limit: int = 3) -> list[Match]:
    """The resolved entry first, then the selector's next best entries at other places, if likely.

    For a question the guide is not sure it covers: the visitor sees its best guesses, each a
    different place, as an ask-back shows them.
    """
    found = Match(res.kind, res.id, title_of(guide, res.kind, res.id), 1.0)
    out, places = [found], {destination_key(guide, res.kind, res.id)}
    for m in ranked_entries(guide, ranking[:limit]):
        place = destination_key(guide, m.kind, m.id)
        if m.kind != "clarification" and place not in places and len(out) < limit \
                and m.score >= GUESS_MIN_CONFIDENCE:
            places.add(place)
            out.append(m)
    return out
