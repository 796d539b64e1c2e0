//! The alert player. It decodes the alert sound once, at start-up, and owns the audio output
//! stream on its own thread; a play request is a message, so the sound starts at once from a
//! buffer already in memory. With no audio output it says so and keeps working silently.

use std::io::Cursor;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rodio::buffer::SamplesBuffer;
use rodio::{Decoder, OutputStream, Sink, Source};
use tokio::sync::oneshot;

/// Our default alert: a short two-note chime (see scripts/make-sounds.py).
pub const DEFAULT_SOUND: &[u8] = include_bytes!("../../../assets/sounds/chime.wav");

/// The web app plays its alert at 0.3; a desktop alert must be heard over a headset's call audio.
pub const DEFAULT_VOLUME: f32 = 0.6;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AudioStatus {
    Ready,
    /// No output could be opened; alerts are silent. The reason is for people.
    NoOutput(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlayOutcome {
    Played,
    Silent(String),
}

#[derive(Debug, thiserror::Error)]
#[error("the alert sound cannot be decoded: {0}")]
pub struct SoundError(String);

enum Command {
    Play { started: oneshot::Sender<Instant>, done: oneshot::Sender<PlayOutcome> },
}

/// A handle to the player thread; cheap to clone. The thread ends when the last handle is dropped.
#[derive(Clone)]
pub struct AlertPlayer {
    commands: mpsc::Sender<Command>,
    status: AudioStatus,
}

/// A play request in flight.
pub struct Playback {
    requested: Instant,
    started: oneshot::Receiver<Instant>,
    done: oneshot::Receiver<PlayOutcome>,
}

impl Playback {
    /// How long after the request the sound was handed to the output; `None` if it was not
    /// (no output). Await this before [`Playback::finished`].
    pub async fn started_after(&mut self) -> Option<Duration> {
        (&mut self.started).await.ok().map(|at| at.saturating_duration_since(self.requested))
    }

    /// Resolves when the sound has finished playing.
    pub async fn finished(self) -> PlayOutcome {
        self.done.await.unwrap_or_else(|_| PlayOutcome::Silent("the player stopped".into()))
    }
}

/// A sound decoded to samples, ready to hand to the output.
#[derive(Clone)]
struct Decoded {
    channels: u16,
    rate: u32,
    samples: Vec<i16>,
}

fn decode(bytes: &'static [u8]) -> Result<Decoded, SoundError> {
    let decoder = Decoder::new(Cursor::new(bytes)).map_err(|e| SoundError(e.to_string()))?;
    let (channels, rate) = (decoder.channels(), decoder.sample_rate());
    let samples: Vec<i16> = decoder.collect();
    if samples.is_empty() {
        return Err(SoundError("no samples".into()));
    }
    Ok(Decoded { channels, rate, samples })
}

impl AlertPlayer {
    /// Decodes `sound` and opens the default output on a new thread. Fails only for a sound that
    /// cannot be decoded; a missing output is reported by [`AlertPlayer::status`].
    pub fn start(sound: &'static [u8], volume: f32) -> Result<Self, SoundError> {
        let decoded = decode(sound)?;
        let (commands, rx) = mpsc::channel();
        let (status_tx, status_rx) = mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("alert-player".into())
            .spawn(move || player_thread(decoded, volume, rx, status_tx))
            .map_err(|e| SoundError(format!("cannot start the audio thread: {e}")))?;
        let status = status_rx.recv().unwrap_or_else(|_| AudioStatus::NoOutput("the audio thread stopped".into()));
        match &status {
            AudioStatus::Ready => tracing::info!("alert player ready"),
            AudioStatus::NoOutput(why) => tracing::warn!(%why, "no sound output: alerts will be silent"),
        }
        Ok(AlertPlayer { commands, status })
    }

    pub fn status(&self) -> &AudioStatus {
        &self.status
    }

    /// Plays the alert now. Never blocks.
    pub fn play(&self) -> Playback {
        let requested = Instant::now();
        let (started, started_rx) = oneshot::channel();
        let (done, done_rx) = oneshot::channel();
        if self.commands.send(Command::Play { started, done }).is_err() {
            tracing::warn!("alert player is gone");
        }
        Playback { requested, started: started_rx, done: done_rx }
    }
}

fn player_thread(
    sound: Decoded,
    volume: f32,
    commands: mpsc::Receiver<Command>,
    status: mpsc::SyncSender<AudioStatus>,
) {
    // The stream must stay alive (and on this thread: it is not Send) for sound to play.
    let output = OutputStream::try_default();
    let handle = match &output {
        Ok((_stream, handle)) => {
            let _ = status.send(AudioStatus::Ready);
            Some(handle.clone())
        }
        Err(e) => {
            let _ = status.send(AudioStatus::NoOutput(e.to_string()));
            None
        }
    };

    let mut playing: Vec<(Sink, oneshot::Sender<PlayOutcome>)> = Vec::new();
    loop {
        let command = if playing.is_empty() {
            match commands.recv() {
                Ok(c) => Some(c),
                Err(_) => return,
            }
        } else {
            match commands.recv_timeout(Duration::from_millis(20)) {
                Ok(c) => Some(c),
                Err(mpsc::RecvTimeoutError::Timeout) => None,
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            }
        };
        if let Some(Command::Play { started, done }) = command {
            let Some(handle) = &handle else {
                let _ = done.send(PlayOutcome::Silent("no sound output".into()));
                continue;
            };
            match Sink::try_new(handle) {
                Ok(sink) => {
                    sink.set_volume(volume);
                    sink.append(SamplesBuffer::new(sound.channels, sound.rate, sound.samples.clone()));
                    let _ = started.send(Instant::now());
                    playing.push((sink, done));
                }
                Err(e) => {
                    let _ = done.send(PlayOutcome::Silent(e.to_string()));
                }
            }
        }
        let (done, still): (Vec<_>, Vec<_>) = playing.drain(..).partition(|(sink, _)| sink.empty());
        playing = still;
        for (_, reply) in done {
            let _ = reply.send(PlayOutcome::Played);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_sound_decodes_to_half_a_second_or_more() {
        let d = decode(DEFAULT_SOUND).unwrap();
        let seconds = d.samples.len() as f64 / d.channels as f64 / d.rate as f64;
        assert!(seconds > 0.3 && seconds < 2.0, "{seconds}");
        assert!(d.samples.iter().any(|s| s.unsigned_abs() > 10_000), "the alert is audible");
    }

    #[test]
    fn garbage_is_not_a_sound() {
        assert!(AlertPlayer::start(b"not a wav file", 1.0).is_err());
    }
}
