"""Messages that are not questions: greetings, thanks, "ok", "help", "test".

Searched, they return whatever posts are nearest to nothing ("hi" found a 2014 newsletter and
suggested the tag "admin only"). A message made only of such words (in English or the seven
languages the vocabulary reads) gets the prompt an empty question gets instead.

How the list was made: written from general knowledge of how people open, acknowledge and close
a chat, and the words around them (pronouns, "so much", "please", "there"), in English, German,
Spanish, French, Italian, Portuguese, Dutch and Polish. Words that can
name a subject on their own ("sleep", "sun", "vitamin", "dose") are not in it, nor are words that
ask a question of substance ("how much", "safe", "true"), so "thanks, is it safe?" is searched.
"""

from __future__ import annotations

import re

from retrieval.synonyms import fold

_WORD_RE = re.compile(r"\w+")

_BY_LANGUAGE = {
    # greetings, thanks, acknowledgements, goodbyes, pings, and the words around them; written
    # folded (lower case, no accents), as they are matched
    "en": "hi hello hey heya hiya howdy yo greetings morning afternoon evening night good gm "
    "thanks thank thx ty tysm cheers appreciated welcome "
    "ok okay k kk yes yeah yep yup no nope nah sure cool nice great awesome perfect wow "
    "lol haha hmm hm oh ah please pls plz sorry bye goodbye cya later "
    "test testing ping help bot there all everyone anyone guys folks "
    "i me my you your it this that we us is are do does can could would will so much very a "
    "lot again what why who huh s",
    "de": "hallo servus moin guten morgen abend danke dankeschon bitte ja nein tschuss hilfe",
    "es": "hola buenos buenas dias tardes noches gracias muchas por favor si vale adios ayuda",
    "fr": "bonjour salut bonsoir merci beaucoup oui non svp stp plait il vous au revoir aide",
    "it": "ciao buongiorno buonasera grazie mille prego aiuto arrivederci",
    "pt": "ola oi bom dia boa tarde noite obrigado obrigada muito sim nao tchau ajuda",
    "nl": "hoi goedemorgen goedemiddag goedenavond dank bedankt je wel nee alsjeblieft doei hulp",
    "pl": "czesc dzien dobry dziekuje dzieki tak nie prosze pomocy pomoc",
}
WORDS = frozenset(w for words in _BY_LANGUAGE.values() for w in words.split())


def only_small_talk(text: str) -> bool:
    """Whether `text` has words and all of them are small talk, matched as the vocabulary matches
    (case and accents aside); a number is a word no list holds. Stops at the first other word, so
    a question costs about a microsecond."""
    said = False
    for match in _WORD_RE.finditer(text):
        if fold(match.group()) not in WORDS:
            return False
        said = True
    return said
