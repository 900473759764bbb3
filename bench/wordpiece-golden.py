#!/usr/bin/python3
"""Golden WordPiece encodings by BERT's original tokenization, written literally (stdlib only).

Debian has no python `tokenizers` / `transformers`, so the reference is the algorithm of
google-research/bert `tokenization.py` (BasicTokenizer + WordpieceTokenizer, the version with CJK
spacing added on 2018-11-01) and `run_classifier.py` (`convert_single_example`,
`_truncate_seq_pair`), re-implemented below step by step:

BasicTokenizer (do_lower_case):
  1. clean text: drop NUL, U+FFFD and every control character (Unicode category C*, except \\t \\n
     \\r); map whitespace (' ', \\t, \\n, \\r, category Zs) to ' ';
  2. put ' ' around every CJK ideograph (the eight code point ranges of `_is_chinese_char`);
  3. split on whitespace (Python's str.split());
  4. per word, when do_lower_case: str.lower(), then NFD and drop category Mn (accents);
  5. split every punctuation character off (ASCII 33-47, 58-64, 91-96, 123-126, and category P*);
WordpieceTokenizer: per word, greedy longest-match-first from the start, a continuing piece
  carries '##'; a word of more than 100 characters (code points), or with no full cover, is [UNK];
run_classifier: a single text keeps its first max_seq_length - 2 tokens, a pair is cut by
  `_truncate_seq_pair` (one token at a time from the longer, from B on a tie) to
  max_seq_length - 3; then [CLS] A [SEP] (segment 0) B [SEP] (segment 1), input_mask 1 per token,
  padded with id 0 / mask 0 / segment 0 to max_seq_length.

Writes test/fixtures/bert-tiny/tokenizer-golden.json for three vocabularies:
  - test/fixtures/bert-tiny/vocab.txt (100 tokens, the model's vocab_size, chosen by hand so the
    cases reach whole words, '##' pieces, punctuation, digits, CJK, emoji and cased forms),
    uncased and cased (do_lower_case False);
  - test/fixtures/wordpiece-trained/vocab.txt: the vocabulary our trainWordPiece
    (src/models/transformer/wordpiece-trainer.ts) makes of test/fixtures/wordpiece-trained/corpus.txt
    (vocabSize 300), on its training texts and some of the tricky strings.
Run `python3 bench/wordpiece-golden.py` from anywhere; test/models/transformer/tokenizer-golden.test.ts
compares our Tokenizer (Hugging Face tokenizers.js + ./tokenizer.ts) with it, case by case.

Where Hugging Face's tokenizer differs from the 2018 algorithm by its own documented behaviour, a
case carries both: the BERT encoding (`input_ids`, ...) and what Hugging Face gives (`hf`), with the
reason (`differs`). The script computes `hf` by the two rules below and checks that every case
where they change the result is one of these, so no disagreement is silent:

  special-tokens: Hugging Face's tokenizer.json lists [PAD] [UNK] [CLS] [SEP] [MASK] as added
    tokens (`normalized: false, special: true`), which are matched in the raw text before
    normalization: "[MASK]" in a text is one token, id of [MASK]. BERT's BasicTokenizer knows no
    special tokens: "[MASK]" is '[', 'mask', ']' (BERT's run_pretraining inserts masks by id, never
    from text). "[mask]" (lowercase) is not an added token in either, so both split it.
    (https://huggingface.co/docs/tokenizers/api/added-tokens)
  pair-truncation: Hugging Face's `longest_first` (tokenizers `utils/truncation.rs`) keeps the
    shorter text whole when the longer can keep at least as many, else floor(m/2) tokens for the
    shorter and ceil(m/2) for the longer; `_truncate_seq_pair` pops one token at a time from the
    longer and from B on a tie, so with an odd budget m and two texts longer than m/2 BERT ends
    with A one token longer than B, where Hugging Face gives the extra token to the longer text
    (to B on a tie): the cases `pair-truncated-8-9` and `pair-truncated-10-10`.
    (https://huggingface.co/docs/transformers/pad_truncation)

Known differences not in the golden (they depend on the Unicode tables, not on the algorithm):
  - Python's unicodedata (this script records its version) and the JavaScript engine's Unicode
    tables (\\p{...} in V8/ICU) may disagree on characters assigned between the two versions: BERT
    drops a character that its Python thinks unassigned (category Cn) as a control character, and
    a newer table keeps it (e.g. U+1FAE8, an emoji of Unicode 15: dropped under unicodedata 14,
    [UNK] under Node 20's ICU). Only characters of Unicode <= 14 are used here.
  - The Rust tokenizers' StripAccents drops every combining mark (Mn, Mc and Me); BERT and
    tokenizers.js drop only Mn, so a spacing mark (Mc, e.g. U+093F in Hindi) stays in both here.

Found with this golden and worked around in src/models/transformer/tokenizer.ts (BERT and the Rust
tokenizers agree, tokenizers.js 0.2.0 did not): its BertNormalizer puts spaces only around CJK
ideographs of the BMP (it reads UTF-16 code units: ideographs from U+20000 on were not spaced),
and its clean_text keeps unassigned code points (category Cn) that BERT and Rust drop. The cases
`cjk-astral` and `unassigned` check both.
"""
import json
import os
import sys
import unicodedata

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FIXTURES = os.path.join(ROOT, "test", "fixtures")
OUT = os.path.join(FIXTURES, "bert-tiny", "tokenizer-golden.json")
SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
MAX_INPUT_CHARS_PER_WORD = 100


# ---- BasicTokenizer ----------------------------------------------------------------------------

def is_whitespace(ch):
    return ch in (" ", "\t", "\n", "\r") or unicodedata.category(ch) == "Zs"


def is_control(ch):
    if ch in ("\t", "\n", "\r"):
        return False
    return unicodedata.category(ch).startswith("C")


def is_punctuation(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def is_chinese_char(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def whitespace_split(text):
    text = text.strip()
    return text.split() if text else []


def clean_text(text):
    out = []
    for ch in text:
        if ord(ch) == 0 or ord(ch) == 0xFFFD or is_control(ch):
            continue
        out.append(" " if is_whitespace(ch) else ch)
    return "".join(out)


def space_chinese_chars(text):
    return "".join(f" {ch} " if is_chinese_char(ord(ch)) else ch for ch in text)


def strip_accents(text):
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn")


def split_on_punctuation(word):
    pieces = []
    start_new = True
    for ch in word:
        if is_punctuation(ch):
            pieces.append(ch)
            start_new = True
        else:
            if start_new:
                pieces.append("")
            start_new = False
            pieces[-1] += ch
    return pieces


def basic_tokenize(text, do_lower_case):
    text = space_chinese_chars(clean_text(text))
    split = []
    for word in whitespace_split(text):
        if do_lower_case:
            word = strip_accents(word.lower())
        split.extend(split_on_punctuation(word))
    return whitespace_split(" ".join(split))


# ---- WordpieceTokenizer ------------------------------------------------------------------------

def wordpiece_tokenize(words, vocab):
    out = []
    for word in words:
        chars = list(word)
        if len(chars) > MAX_INPUT_CHARS_PER_WORD:
            out.append("[UNK]")
            continue
        pieces, start, bad = [], 0, False
        while start < len(chars):
            end, piece = len(chars), None
            while start < end:
                sub = ("##" if start > 0 else "") + "".join(chars[start:end])
                if sub in vocab:
                    piece = sub
                    break
                end -= 1
            if piece is None:
                bad = True
                break
            pieces.append(piece)
            start = end
        out.extend(["[UNK]"] if bad else pieces)
    return out


def tokenize(text, vocab, do_lower_case, keep_special_tokens):
    """BERT's FullTokenizer.tokenize; keep_special_tokens: Hugging Face's added tokens (module doc)."""
    if not keep_special_tokens:
        return wordpiece_tokenize(basic_tokenize(text, do_lower_case), vocab)
    tokens, rest = [], text
    while rest:
        hits = [(rest.find(t), t) for t in SPECIAL_TOKENS if t in vocab and rest.find(t) >= 0]
        if not hits:
            break
        at, special = min(hits)
        tokens += tokenize(rest[:at], vocab, do_lower_case, False) + [special]
        rest = rest[at + len(special):]
    return tokens + tokenize(rest, vocab, do_lower_case, False)


# ---- run_classifier: truncation, special tokens, padding ----------------------------------------

def truncate_pair_bert(a, b, budget):
    a, b = list(a), list(b)
    while len(a) + len(b) > budget:
        (a if len(a) > len(b) else b).pop()
    return a, b


def truncate_pair_hf(a, b, budget):
    n1, n2 = len(a), len(b)
    if n1 + n2 <= budget:
        return a, b
    short, long_ = sorted((n1, n2))
    long_ = short if short > budget else max(short, budget - short)
    if short + long_ > budget:
        short = budget // 2
        long_ = short + budget % 2
    return (a[:long_], b[:short]) if n1 > n2 else (a[:short], b[:long_])


def encode(case, vocab, do_lower_case, max_len, hf):
    a = tokenize(case["text"], vocab, do_lower_case, hf)
    if "text_b" in case:
        b = tokenize(case["text_b"], vocab, do_lower_case, hf)
        a, b = (truncate_pair_hf if hf else truncate_pair_bert)(a, b, max_len - 3)
        tokens = ["[CLS]"] + a + ["[SEP]"] + b + ["[SEP]"]
        segments = [0] * (len(a) + 2) + [1] * (len(b) + 1)
    else:
        tokens = ["[CLS]"] + a[: max_len - 2] + ["[SEP]"]
        segments = [0] * len(tokens)
    ids = [vocab[t] for t in tokens]
    pad = max_len - len(ids)
    return {
        "tokens": tokens,
        "input_ids": ids + [0] * pad,
        "input_mask": [1] * len(ids) + [0] * pad,
        "segment_ids": segments + [0] * pad,
    }


def load_vocab(path):
    """vocab.txt: line k is token k (BERT's load_vocab strips each line)."""
    with open(path, encoding="utf-8") as f:
        return {line.strip(): k for k, line in enumerate(f)}


# ---- the cases -------------------------------------------------------------------------------

def c(name, text, text_b=None):
    return {"name": name, "text": text, **({"text_b": text_b} if text_b is not None else {})}


TRICKY = [
    c("plain", "hello world"),
    c("mixed-case", "HeLLo, WoRLD!"),
    c("upper", "THE CAT SAT ON THE MAT."),
    c("wordpiece", "unaffable"),
    c("suffixes", "cats played playing running"),
    c("accents-nfc", "Café naïve résumé"),
    c("accents-nfd", "Cafe\u0301 nai\u0308ve"),
    c("umlaut-capital", "Über"),
    c("dotted-capital-i", "İstanbul"),
    c("cjk", "中国人"),
    c("cjk-inside-word", "a中b日本c"),
    c("cjk-astral", "a\U00020000b \U0002A700x"),
    c("cjk-compatibility", "\uF900\u4E2D"),
    c("japanese-kana", "日本語です"),
    c("korean-hangul", "한국어"),
    c("emoji", "😀 😀😀😀"),
    c("emoji-skin-tone-zwj", "👍🏽 👨\u200D👩\u200D👧 ❤\uFE0F"),
    c("emoji-long-word", "😀" * 60),
    c("control-nul-fffd", "a\u0000b\uFFFDc"),
    c("control-bel-esc", "a\u0007b\u001Bc\u007F"),
    c("format-chars", "a\u200Bb\u00ADc\uFEFFd\u200Ee"),
    c("unassigned", "a\u0378b \uFFFFx"),
    c("lone-surrogate", "a\uD800b"),
    c("tabs-newlines", "play\tplayed\nplaying\r\nrun"),
    c("vertical-tab-form-feed", "a\u000Bb\u000Cc"),
    c("unicode-spaces", "a\u00A0b\u2003c\u3000e\u2028x\u2029a"),
    c("empty", ""),
    c("whitespace-only", " \t\n\r\u00A0 "),
    c("long-word-100", "ab" * 50),
    c("long-word-101", "ab" * 50 + "a"),
    c("unknown-chars", "xyz Ω ß"),
    c("numbers", "12,300.50 and 3.1415"),
    c("contractions", "don't it's I'm"),
    c("special-token-in-text", "the [MASK] sat [SEP]"),
    c("special-token-lowercase", "the [mask] sat"),
    c("email", "e-mail: foo@bar.com"),
    c("spanish-inverted", "¿Qué?"),
    c("unicode-punctuation", "“quoted” — dash… 。"),
    c("symbols-not-punctuation", "20°C €5 ©"),
    c("ascii-symbols", "$100 + 5 = ~x_y^z|`"),
    c("truncated", "the cat sat on the mat the cat sat on the mat the cat sat"),
    c("pair", "hello world", "the cat sat"),
    c("pair-fits", "the cat sat on the mat", "hello world hello world hello world"),
    c("pair-truncated-8-9", "the cat sat on the mat hello world", "hello world hello world hello world the cat sat"),
    c("pair-truncated-10-10", "the cat sat on the mat the cat sat on", "hello world hello world hello world hello world hello world"),
    c("pair-one-short", "hi", "the cat sat on the mat the cat sat on the mat the cat"),
    c("pair-empty-b", "hello world", ""),
]

# The trained vocabulary: its training texts and some tricky strings.
TRAINED_TRICKY = ["mixed-case", "accents-nfd", "cjk-inside-word", "emoji", "control-nul-fffd",
                  "tabs-newlines", "empty", "long-word-101", "special-token-in-text", "numbers"]


def run_set(cases, vocab, do_lower_case, max_len):
    out = []
    for case in cases:
        bert = encode(case, vocab, do_lower_case, max_len, hf=False)
        hf = encode(case, vocab, do_lower_case, max_len, hf=True)
        row = {**case, **bert}
        if hf != bert:
            texts = [case["text"], case.get("text_b", "")]
            if any(t in s for s in texts for t in SPECIAL_TOKENS):
                why = "special-tokens"
            elif "text_b" in case and encode(case, vocab, do_lower_case, 10**6, hf=False)["tokens"] == \
                    encode(case, vocab, do_lower_case, 10**6, hf=True)["tokens"]:
                why = "pair-truncation"
            else:
                sys.exit(f"undocumented difference in case {case['name']!r}: {bert['tokens']} vs {hf['tokens']}")
            row["differs"] = why
            row["hf"] = hf
        out.append(row)
    return out


def main():
    tiny = load_vocab(os.path.join(FIXTURES, "bert-tiny", "vocab.txt"))
    trained = load_vocab(os.path.join(FIXTURES, "wordpiece-trained", "vocab.txt"))
    with open(os.path.join(FIXTURES, "wordpiece-trained", "corpus.txt"), encoding="utf-8") as f:
        corpus = [line.rstrip("\n") for line in f if line.rstrip("\n")]
    trained_cases = [c(f"corpus-{k}", t) for k, t in enumerate(corpus)] + [x for x in TRICKY if x["name"] in TRAINED_TRICKY]
    golden = {
        "source": "bench/wordpiece-golden.py: google-research/bert tokenization.py + run_classifier.py, re-implemented literally",
        "python": sys.version.split()[0],
        "unicodedata": unicodedata.unidata_version,
        "differences": {
            "special-tokens": "Hugging Face matches added special tokens ([MASK], ...) in the raw text; BERT's BasicTokenizer splits them as punctuation and words",
            "pair-truncation": "with an odd budget and two long texts, Hugging Face's longest_first gives the extra token to the longer text (B on a tie); BERT's _truncate_seq_pair, popping from B on a tie, leaves it to A",
        },
        "sets": [
            {"name": "bert-tiny uncased", "vocab": "bert-tiny/vocab.txt", "do_lower_case": True, "max_seq_length": 16,
             "cases": run_set(TRICKY, tiny, True, 16)},
            {"name": "bert-tiny cased", "vocab": "bert-tiny/vocab.txt", "do_lower_case": False, "max_seq_length": 16,
             "cases": run_set(TRICKY, tiny, False, 16)},
            {"name": "wordpiece-trained", "vocab": "wordpiece-trained/vocab.txt", "do_lower_case": True, "max_seq_length": 32,
             "cases": run_set(trained_cases, trained, True, 32)},
        ],
    }
    # One case a line (escaped ASCII: the invisible characters stay visible in a diff).
    text = json.dumps(golden, ensure_ascii=True, indent=1)
    for s in golden["sets"]:
        for case in s["cases"]:
            text = text.replace(json.dumps(case, ensure_ascii=True, indent=1).replace("\n", "\n" + " " * 4), json.dumps(case, ensure_ascii=True), 1)
    assert json.loads(text) == golden
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text + "\n")
    n = sum(len(s["cases"]) for s in golden["sets"])
    d = sum(1 for s in golden["sets"] for x in s["cases"] if "differs" in x)
    print(f"wrote {os.path.relpath(OUT, ROOT)}: {n} cases, {d} where Hugging Face differs by design")


if __name__ == "__main__":
    main()
