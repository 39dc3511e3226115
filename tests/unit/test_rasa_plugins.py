"""The components the Rasa server loads, tested directly (no server, no trained model)."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.routing import SELECTOR_OUTSIDE
from rasa_plugins.entry_selector import GuideEntrySelector
from rasa_plugins.normalizer import JapaneseNormalizer
from rasa_plugins.question_type import QuestionTypeClassifier


def _context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


@pytest.mark.parametrize("text, expected, entity, span", [
    # Full-width letters and digits fold (NFKC, lower case): the entity after them keeps its place.
    ("ＡＢＣ　住民票を２通", "abc 住民票を2通", "住民票", (4, 7)),
    # Half-width katakana fold to full width, which changes the length before the entity.
    ("ﾏｲﾅﾝﾊﾞｰｶｰﾄﾞの住所", "マイナンバーカードの住所", "住所", (10, 12)),
])
def test_the_normaliser_moves_entity_offsets_with_the_text(text, expected, entity, span):
    start = text.index(entity[0])
    message = Message(data={TEXT: text, "entities": [
        {"start": start, "end": start + len(entity), "value": entity, "entity": "item"}]})
    JapaneseNormalizer.create({}, None, None, _context()).process_training_data(
        TrainingData([message]))
    assert message.get(TEXT) == expected
    [moved] = message.get("entities")
    assert (moved["start"], moved["end"]) == span
    assert expected[moved["start"]:moved["end"]] == entity


def test_the_normaliser_leaves_plain_text_alone():
    message = Message(data={TEXT: "住民票がほしい"})
    JapaneseNormalizer.create({}, None, None, _context()).process([message])
    assert message.get(TEXT) == "住民票がほしい"


EXAMPLES = {
    "request/juminhyo": ["住民票がほしい", "住民票の写しをください", "じゅうみんひょう", "住民票を取りたい",
                         "residence certificate please"],
    "request/inkan": ["印鑑登録をしたい", "実印の登録", "いんかんとうろく", "印鑑証明がほしい",
                      "register my seal"],
    "request/dog": ["犬の登録をしたい", "犬を飼い始めた", "いぬのとうろく", "狂犬病の注射", "dog registration"],
}


def _training_data() -> TrainingData:
    return TrainingData([Message(data={TEXT: text, "intent": key.split("/")[0], INTENT_RESPONSE_KEY: key})
                         for key, texts in EXAMPLES.items() for text in texts])


def _ranking(selector: GuideEntrySelector, text: str) -> list[dict]:
    [message] = selector.process([Message(data={TEXT: text})])
    return message.get("response_selector")["default"]["ranking"]


def test_the_entry_selector_learns_persists_and_loads_the_same_ranking(tmp_path):
    storage = LocalModelStorage(tmp_path)
    resource = Resource("entry_selector")
    selector = GuideEntrySelector.create({}, storage, resource, _context())
    selector.train(_training_data())
    trained = _ranking(selector, "住民票を1通")
    assert trained[0][INTENT_RESPONSE_KEY] == "request/juminhyo"
    assert _ranking(selector, "いぬの登録")[0][INTENT_RESPONSE_KEY] == "request/dog"
    assert abs(sum(r["confidence"] for r in trained) - 1.0) < 1e-5

    loaded = GuideEntrySelector.load({}, storage, resource, _context())
    again = _ranking(loaded, "住民票を1通")
    assert [r[INTENT_RESPONSE_KEY] for r in again] == [r[INTENT_RESPONSE_KEY] for r in trained]
    assert again[0]["confidence"] == pytest.approx(trained[0]["confidence"], rel=1e-5)


def test_the_entry_selector_ranks_questions_about_nothing_the_guide_has_as_their_own_class(tmp_path):
    outside = ["宝くじを買いたい", "天気はどう", "おすすめのラーメン屋", "安い中古の家具屋", "しりとりしよう"]
    data = TrainingData([*_training_data().training_examples,
                         *(Message(data={TEXT: text, "intent": "out_of_scope"}) for text in outside)])
    selector = GuideEntrySelector.create({}, LocalModelStorage(tmp_path), Resource("s"), _context())
    selector.train(data)
    [message] = selector.process([Message(data={TEXT: "宝くじ売り場"})])
    result = message.get("response_selector")
    # Under the key the routing reads (bot.routing.outside_likely).
    assert result["default"]["ranking"][0][INTENT_RESPONSE_KEY] == SELECTOR_OUTSIDE
    # What Rasa reads as the selector's answer stays an entry, and the class is no retrieval intent.
    assert result["default"]["response"][INTENT_RESPONSE_KEY].startswith("request/")
    assert result["all_retrieval_intents"] == ["request"]
    assert _ranking(selector, "住民票を1通")[0][INTENT_RESPONSE_KEY] == "request/juminhyo"


def _certificate_and_welfare_entries() -> tuple[list[Message], list[str]]:
    """Two training files' guide-entry examples (~600 of ~30 entries), as messages and labels."""
    from bot.settings import REPO
    from rasa_plugins.training_files import TrainingFiles

    data = TrainingFiles(None, None, [str(REPO / "data/nlu/requests_certificates.yml"),
                                      str(REPO / "data/nlu/requests_welfare.yml")]).get_nlu_data()
    examples = [m for m in data.intent_examples if m.get(INTENT_RESPONSE_KEY)]
    return ([Message(data={TEXT: m.get(TEXT)}) for m in examples],
            [m.get(INTENT_RESPONSE_KEY) for m in examples])


def test_the_pools_allocator_settings_are_set_only_while_its_workers_start(monkeypatch):
    import os

    from rasa_plugins.char_svm import WORKER_MALLOC, _environ

    monkeypatch.setenv("MALLOC_MMAP_MAX_", "7")
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    with _environ(WORKER_MALLOC):
        assert {name: os.environ[name] for name in WORKER_MALLOC} == WORKER_MALLOC
    assert os.environ["MALLOC_MMAP_MAX_"] == "7" and "MALLOC_TRIM_THRESHOLD_" not in os.environ


def test_the_same_examples_train_the_same_weights():
    """A model is a function of its inputs: liblinear's random generator is process-wide, and
    one-against-the-rest fits sharing it from threads gave weights up to 5e-5 apart."""
    from rasa_plugins.char_svm import DEFAULT_CONFIG, CharSvm

    messages, labels = _certificate_and_welfare_entries()
    assert len(set(labels)) > 20
    first, second = (CharSvm.fit(dict(DEFAULT_CONFIG), messages, labels).model for _ in range(2))
    assert (first["coef_t"] != second["coef_t"]).nnz == 0
    assert (first["intercept"] == second["intercept"]).all()


def test_the_entry_selector_keeps_no_tiny_weight_and_ranks_as_with_them():
    """Weights below min_weight are dropped for memory; the ranking must not notice."""
    import numpy as np

    from rasa_plugins.char_svm import CharSvm

    messages, labels = _certificate_and_welfare_entries()
    config = GuideEntrySelector.get_default_config()
    assert config["min_weight"] > 0
    pruned = CharSvm.fit(config, messages, labels)
    whole = CharSvm.fit({**config, "min_weight": 0.0}, messages, labels)
    assert np.abs(pruned.model["coef_t"].data).min() >= config["min_weight"]
    assert pruned.model["coef_t"].nnz < 0.9 * whole.model["coef_t"].nnz
    questions = [("住民票を1通ください", "じゅうみんひょうを1つうください"), ("生活保護の相談", "せいかつほごのそうだん"),
                 ("印鑑登録をしたい", "いんかんとうろくをしたい"), ("介護保険の申請", "かいごほけんのしんせい")]
    for texts in questions + [(m.get(TEXT), m.get(TEXT)) for m in messages[::7]]:
        a, b = pruned.scores(texts), whole.scores(texts)
        assert a.argmax() == b.argmax()
        assert np.abs(a - b).max() < 0.05


@pytest.mark.parametrize("texts", [("住民票を1通", "じゅうみんひょうを1つう", ""),
                                   ("犬の登録", "いぬのとうろく", ""),
                                   ("residence card", "residence card", "residence card"),
                                   ("my number cardの更新", "my number cardのこうしん", "my number card"),
                                   ("", "", ""), ("ゞ", "ゞ", "")])
def test_ranking_scores_are_those_of_scikit_learns_tfidf_transform(tmp_path, texts):
    """CharSvm.scores computes the TF-IDF features itself (speed); they must be the trained ones."""
    import numpy as np
    from scipy.sparse import hstack

    from rasa_plugins.char_svm import VIEWS, _vectorizer, _view_weight

    selector = GuideEntrySelector.create({}, LocalModelStorage(tmp_path), Resource("s"), _context())
    selector.train(_training_data())
    svm = selector._svm
    vectorizers = []
    for view in VIEWS:
        vectorizer = _vectorizer(svm.config, view, svm.model["vocabulary"][view])
        vectorizer.idf_ = svm.model[f"idf_{view}"]
        vectorizers.append(vectorizer)
    features = hstack([v.transform([t]) * _view_weight(svm.config, view)
                       for v, t, view in zip(vectorizers, texts, VIEWS)]).tocsr()
    expected = (features @ svm.model["coef_t"]).toarray()[0] + svm.model["intercept"]
    assert np.allclose(svm.scores(texts), expected, rtol=1e-5, atol=1e-6)


def test_a_guide_in_japanese_only_trains_without_words_in_a_latin_script():
    from rasa_plugins.char_svm import CharSvm, views

    messages = [Message(data={TEXT: t}) for t in ("住民票", "印鑑登録", "住民票をください", "印鑑の登録")]
    svm = CharSvm.fit(GuideEntrySelector.get_default_config(), messages,
                      ["juminhyo", "inkan", "juminhyo", "inkan"])
    assert svm.model["vocabulary"]["words"] == {}
    assert svm.classes[svm.scores(views(Message(data={TEXT: "住民票 please"}))).argmax()] == "juminhyo"


def test_the_entry_selector_without_retrieval_examples_adds_nothing(tmp_path):
    storage, resource = LocalModelStorage(tmp_path), Resource("entry_selector")
    selector = GuideEntrySelector.create({}, storage, resource, _context())
    selector.train(TrainingData([Message(data={TEXT: "こんにちは", "intent": "greet"})]))
    loaded = GuideEntrySelector.load({}, storage, resource, _context())
    [message] = loaded.process([Message(data={TEXT: "住民票"})])
    assert message.get("response_selector") is None


QUESTIONS = {
    "request": ["住民票がほしい", "印鑑登録をしたい", "犬の登録をしたい", "パスポートを作りたい"],
    "ask_floor": ["何階ですか", "それは何階", "なんかいにありますか", "場所は何階"],
    "greet": ["こんにちは", "おはようございます", "こんばんは", "どうも"],
}


def _question_types(classifier: QuestionTypeClassifier, text: str) -> tuple[dict, list[dict]]:
    [message] = classifier.process([Message(data={TEXT: text})])
    return message.get("intent"), message.get("intent_ranking")


@pytest.mark.parametrize("types", [QUESTIONS, {k: QUESTIONS[k] for k in ("request", "greet")}])
def test_the_question_type_classifier_learns_persists_and_loads_the_same_ranking(tmp_path, types):
    """Also with two types, where scikit-learn keeps one weight row for both."""
    storage, resource = LocalModelStorage(tmp_path), Resource("question_type")
    classifier = QuestionTypeClassifier.create({}, storage, resource, _context())
    classifier.train(TrainingData([Message(data={TEXT: text, "intent": name})
                                   for name, texts in types.items() for text in texts]))
    intent, ranking = _question_types(classifier, "住民票を1通ほしい")
    assert intent["name"] == "request" and ranking[0] == intent
    assert _question_types(classifier, "こんにちは、どうも")[0]["name"] == "greet"
    assert sorted(r["name"] for r in ranking) == sorted(types)
    assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-5

    loaded = QuestionTypeClassifier.load({}, storage, resource, _context())
    assert _question_types(loaded, "住民票を1通ほしい") == (intent, ranking)


def test_the_question_type_classifier_with_one_type_adds_nothing(tmp_path):
    storage, resource = LocalModelStorage(tmp_path), Resource("question_type")
    classifier = QuestionTypeClassifier.create({}, storage, resource, _context())
    classifier.train(TrainingData([Message(data={TEXT: "こんにちは", "intent": "greet"})]))
    loaded = QuestionTypeClassifier.load({}, storage, resource, _context())
    assert _question_types(loaded, "住民票") == (None, None)


def _lookup_extractor(tmp_path, words: list[str], **config):
    from rasa_plugins.lookup_tables import LookupTableExtractor

    data = TrainingData([Message(data={TEXT: "x", "intent": "request", "entities": [
        {"entity": "item", "start": 0, "end": 1, "value": "x"}]})],
        lookup_tables=[{"name": "item", "elements": words}])
    extractor = LookupTableExtractor.create(
        {**LookupTableExtractor.get_default_config(), "use_word_boundaries": False, **config},
        LocalModelStorage(tmp_path), Resource("lookup"), _context())
    extractor.train(data)
    return extractor


def _found(extractor, text: str) -> list[str]:
    [message] = extractor.process([Message(data={TEXT: text})])
    return [e["value"] for e in message.get("entities") or []]


def test_the_lookup_extractor_finds_the_longest_word_and_ignores_case(tmp_path):
    extractor = _lookup_extractor(tmp_path, ["住民票の写し", "住民票", "印鑑", "Residence Card"])
    assert _found(extractor, "住民票の写しと印鑑と住民票") == ["住民票の写し", "印鑑", "住民票"]
    assert _found(extractor, "my residence card please") == ["residence card"]
    assert _found(extractor, "戸籍謄本") == []


def test_the_lookup_extractor_with_word_boundaries_backs_off_to_a_whole_word(tmp_path):
    extractor = _lookup_extractor(tmp_path, ["tax", "tax return"], use_word_boundaries=True)
    assert _found(extractor, "a tax returner and a tax return") == ["tax", "tax return"]
    assert _found(extractor, "taxi") == []


def test_the_lookup_extractor_with_an_empty_table_finds_nothing(tmp_path):
    from rasa_plugins.lookup_tables import trie_pattern

    assert trie_pattern([]) == trie_pattern([""]) == ""
    assert _found(_lookup_extractor(tmp_path, [""]), "住民票") == []


def test_the_lookup_extractor_matches_as_rasas_regex_extractor_on_the_guides_table(tmp_path):
    """The guide's real table (seven languages) over every held-out and development question."""
    import re
    from pathlib import Path

    import yaml
    from rasa.shared.nlu.training_data.loading import load_data

    from bot.normalize import normalize
    from rasa_plugins.lookup_tables import trie_pattern

    repo = Path(__file__).resolve().parents[2]
    [table] = load_data(str(repo / "data/nlu/generated_from_guide.yml")).lookup_tables
    texts = [normalize(q["text"]) for path in sorted((repo / "data/heldout").glob("**/*.yml"))
             if "sealed" not in path.parts
             for q in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("questions", [])]
    assert len(texts) > 1000
    rasa_pattern = re.compile("(" + "|".join(map(re.escape, table["elements"])) + ")", re.IGNORECASE)
    trie = re.compile(trie_pattern(table["elements"]), re.IGNORECASE)
    found = [[m.span() for m in trie.finditer(t)] for t in texts]
    assert sum(map(bool, found)) > len(texts) / 2
    assert found == [[m.span() for m in rasa_pattern.finditer(t)] for t in texts]


def test_ginza_without_its_vocabulary_tokenises_and_reads_as_the_full_model():
    """GinzaNLP loads neither GiNZA's pipes nor its vocabulary (memory); tokens and readings of
    the held-out questions must be those of ja_ginza as shipped."""
    from pathlib import Path

    import spacy
    import yaml

    from rasa_plugins.ginza import GinzaNLP

    repo = Path(__file__).resolve().parents[2]
    texts = [q["text"] for q in yaml.safe_load(
        (repo / "data/heldout/visitor_questions.yml").read_text(encoding="utf-8"))["questions"]]
    light = GinzaNLP.load_model("ja_ginza").model
    full = spacy.load("ja_ginza")
    assert len(light.vocab.strings) < len(full.vocab.strings) / 10
    for text in texts:
        assert [(t.text, t.morph.get("Reading")) for t in light(text)] == \
            [(t.text, t.morph.get("Reading")) for t in full(text)], text


def test_ginza_parses_the_text_of_training_examples_and_not_their_response():
    """In training GinzaNLP parses each example's text exactly as SpacyNLP does, and leaves the
    retrieval intent's response (the entry's name, read by no component) unparsed."""
    from rasa.nlu.constants import SPACY_DOCS
    from rasa.nlu.utils.spacy_utils import SpacyNLP

    from rasa_plugins.ginza import GinzaNLP

    def examples():
        return TrainingData([
            Message(data={"text": "住民票を取りたいのですが", "intent": "request",
                          "intent_response_key": "request/juminhyo", "response": "住民票の写し"}),
            Message(data={"text": "こんにちは", "intent": "greet"}),
        ])

    model = GinzaNLP.load_model("ja_ginza")
    config = {**GinzaNLP.get_default_config(), "model": "ja_ginza"}
    ours = GinzaNLP(model, config).process_training_data(examples(), model).training_examples
    rasas = SpacyNLP(model, config).process_training_data(examples(), model).training_examples
    for mine, theirs in zip(ours, rasas):
        assert [(t.text, t.morph.get("Reading")) for t in mine.get(SPACY_DOCS["text"])] == \
            [(t.text, t.morph.get("Reading")) for t in theirs.get(SPACY_DOCS["text"])]
    assert rasas[0].get(SPACY_DOCS["response"]) is not None
    assert ours[0].get(SPACY_DOCS["response"]) is None


def test_examples_that_teach_the_entry_are_left_out_of_the_question_type(tmp_path):
    """``metadata: {teaches: entry}`` in the NLU YAML: the entry selector learns the block's
    examples, the question-type model does not (rasa_plugins/question_type.py says why)."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    data = RasaYAMLReader().reads(
        'version: "3.1"\nnlu:\n'
        "- intent: request/juminhyo\n  examples: |\n    - 住民票がほしい\n    - 住民票を1通\n"
        "- intent: request/juminhyo\n  metadata:\n    teaches: entry\n"
        "  examples: |\n    - residence certificate\n    - copy of my residence record\n"
        "- intent: request/inkan\n  examples: |\n    - 印鑑登録をしたい\n    - 印鑑証明がほしい\n"
        "- intent: greet\n  examples: |\n    - こんにちは\n    - どうも\n")
    storage = LocalModelStorage(tmp_path)
    classifier = QuestionTypeClassifier.create({}, storage, Resource("question_type"), _context())
    classifier.train(data)
    selector = GuideEntrySelector.create({}, storage, Resource("entry_selector"), _context())
    selector.train(data)
    assert "res" in selector._svm.model["vocabulary"]["surface"]
    assert "res" not in classifier._svm.model["vocabulary"]["surface"]
    assert "住民" in classifier._svm.model["vocabulary"]["surface"]
