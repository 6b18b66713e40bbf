"""Messages that are not questions: greetings, thanks, "ok", "help", "test".

Searched, they return whatever posts are nearest to nothing ("hi" found a 2014 newsletter and
suggested the tag "admin only"). A message made only of such words (in English or the seven
languages the vocabulary reads) gets the prompt an empty question gets instead.

How the list was made: written from general knowledge of how people open, acknowledge and close
a chat, and the words around them (pronouns, "so much", "please", "there"), in English, German,
Spanish, French, Italian, Portuguese, Dutch and Polish, with and without accents. Words that can
name a subject on their own ("sleep", "sun", "vitamin", "dose") are not in it, nor are words that
ask a question of substance ("how much", "safe", "true"), so "thanks, is it safe?" is searched.
"""

from __future__ import annotations

import re

_WORD_RE = re.compile(r"[^\W\d_]+")

_BY_LANGUAGE = {
    # greetings, thanks, acknowledgements, goodbyes, pings, and the words around them
    "en": "hi hello hey heya hiya howdy yo greetings morning afternoon evening night good gm "
    "thanks thank thx ty tysm cheers appreciated welcome "
    "ok okay k kk yes yeah yep yup no nope nah sure cool nice great awesome perfect wow "
    "lol haha hmm hm oh ah please pls plz sorry bye goodbye cya later "
    "test testing ping help bot there all everyone anyone guys folks "
    "i me my you your it this that we us is are do does can could would will so much very a "
    "lot again what why who huh s",
    "de": "hallo servus moin guten morgen abend danke dankeschön bitte ja nein tschüss hilfe",
    "es": "hola buenos buenas días dias tardes noches gracias muchas por favor sí si vale adiós "
    "adios ayuda",
    "fr": "bonjour salut bonsoir merci beaucoup oui non svp stp plaît plait il vous au revoir aide",
    "it": "ciao buongiorno buonasera grazie mille prego aiuto arrivederci",
    "pt": "olá ola oi bom dia boa tarde noite obrigado obrigada muito sim não nao tchau ajuda",
    "nl": "hoi goedemorgen goedemiddag goedenavond dank bedankt je wel nee alsjeblieft doei hulp",
    "pl": "cześć czesc dzień dzien dobry dziękuję dziekuje dzięki dzieki tak nie proszę prosze "
    "pomocy pomoc",
}
WORDS = frozenset(w for words in _BY_LANGUAGE.values() for w in words.split())


def only_small_talk(text: str) -> bool:
    """Whether `text` has words and all of them are small talk (no number either)."""
    if any(ch.isdigit() for ch in text):
        return False
    words = _WORD_RE.findall(text.lower())
    return bool(words) and all(w in WORDS for w in words)
