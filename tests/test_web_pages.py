"""Episode pages as podcast sites publish them (shapes from a fresh-user trial): the transcript is read, the
page's furniture (cookie banner, navigation, comments, footer, player fallbacks) is not anybody's words."""

from __future__ import annotations

from cxinsight.sources.htmlfile import parse_html

PAGE = """<!DOCTYPE html><html lang="en"><head><title>Ep. 41: Killing the IVR maze | The Queue Podcast</title></head>
<body>
<div id="cookie-banner"><p>We use cookies to improve your experience.</p><button>Accept all</button></div>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/episodes">Episodes</a></li></ul></nav></header>
<main><article>
<h1>Ep. 41: Killing the IVR maze</h1>
<p class="post-meta">Posted March 4, 2024 by Sam Whitlock</p>
<amp-audio src="https://example.com/41.mp3"><div fallback><p>Your browser doesn't support HTML5 audio.</p></div></amp-audio>
<p>This week Sam talks with Noor Haddad about ripping out a nine-level phone menu.</p>
<p><strong>Sam Whitlock:</strong> Noor, your phone menu had nine levels. How did that happen?</p>
<p><strong>Noor Haddad:</strong> Every department added its own branch over fifteen years.
<p><strong>Sam Whitlock:</strong> And the results?</p>
<p><strong>Noor Haddad:</strong> Transfers fell from thirty-one percent of calls to nine percent.</p>
</article>
<section id="comments"><h3>3 Comments</h3>
<div class="comment"><p>Great episode! We did the same thing at our utility.</p></div></section>
</main>
<footer><p>© 2024 The Queue Podcast. All rights reserved.</p></footer>
</body></html>"""


def test_only_the_pages_content_is_read_and_its_furniture_is_nobodys_words():
    transcript = parse_html(PAGE)
    assert [(s.speaker, s.text) for s in transcript.segments] == [
        ("", "Ep. 41: Killing the IVR maze"),
        ("", "This week Sam talks with Noor Haddad about ripping out a nine-level phone menu."),
        ("Sam Whitlock", "Noor, your phone menu had nine levels. How did that happen?"),
        ("Noor Haddad", "Every department added its own branch over fifteen years."),  # its <p> never closed
        ("Sam Whitlock", "And the results?"),
        ("Noor Haddad", "Transfers fell from thirty-one percent of calls to nine percent."),
    ]
    assert transcript.title == "Ep. 41: Killing the IVR maze"


def test_a_page_without_main_or_article_still_loses_its_navigation_and_footer():
    page = PAGE.replace("<main><article>", "<div>").replace("</article>", "").replace("</main>", "</div>")
    texts = [s.text for s in parse_html(page).segments]
    assert "Transfers fell from thirty-one percent of calls to nine percent." in texts[-1]
    assert not any(word in " ".join(texts) for word in ("cookies", "Episodes", "Great episode", "All rights reserved"))


def test_a_transcript_in_a_pre_block_keeps_its_lines_as_turns():
    page = ("<html><body><h1>Episode 9</h1><pre>\n[00:00:02] Ruth Calloway: Welcome to Care Counter.\n"
            "[00:00:12] Ruth Calloway: You cut prescription wait times. How?\n"
            "[00:00:17] Idris Balogun: We moved the pharmacist out from behind the counter.\n</pre></body></html>")
    assert [(s.speaker, s.start, s.text) for s in parse_html(page).segments] == [
        ("", 0.0, "Episode 9"), ("Ruth Calloway", 2.0, "Welcome to Care Counter."),
        ("Ruth Calloway", 12.0, "You cut prescription wait times. How?"),
        ("Idris Balogun", 17.0, "We moved the pharmacist out from behind the counter.")]
