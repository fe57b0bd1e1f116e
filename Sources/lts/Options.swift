import ArgumentParser
import Foundation
import Benchmarks
import Hardware
import Models
import Proxies
import Search
import SearchSpaces
import TensorEngine

/// Options shared by the commands that run models.
struct EngineOptions: ParsableArguments {
  @Option(help: "Threads for the kernels (default: LTS_THREADS or all cores).")
  var threads: Int?

  func validate() throws {
    if let t = threads, t < 1 { throw ValidationError("--threads must be ≥ 1 (got \(t))") }
  }

  /// Applies the settings to the engine.
  func apply() {
    if let t = threads { Engine.threads = t }
  }
}

/// Forward-pass measurement settings (`lts measure`, `lts search`).
struct MeasureArguments: ParsableArguments {
  @Option(help: "Sequence length of the measured forward pass.")
  var seqLen: Int = 192
  @Option(help: "Batch size of the measured forward pass.")
  var batch: Int = 1
  @Option(help: "Untimed warm-up runs.")
  var warmups: Int = 2
  @Option(help: "Timed runs (the median is reported).")
  var repeats: Int = 5

  func options(threads: Int?) -> MeasureOptions {
    var o = MeasureOptions()
    o.seqLen = seqLen
    o.batch = batch
    o.warmups = warmups
    o.repeats = repeats
    if let t = threads { o.threads = t }
    return o
  }

  func validate() throws {
    do { try options(threads: nil).validate() } catch let e as ConfigError {
      throw ValidationError("--\(e.field.replacingOccurrences(of: "_", with: "-")) \(e.value): \(e.rule)")
    }
  }
}

/// Prints to stderr.
func printErr(_ s: String) {
  FileHandle.standardError.write(Data((s + "\n").utf8))
}

/// Runs `body`, turning the project's input errors (bad configs, spaces, benchmark files, proxy
/// options, search directories, tensor shapes) into a one-line `error: …` on stderr and exit code 2;
/// other errors keep ArgumentParser's handling (exit code 1).
func userFacing<R>(_ body: () throws -> R) throws -> R {
  do { return try body() } catch let e as ConfigError {
    throw inputError(e)
  } catch let e as TensorError {
    throw inputError(e)
  } catch let e as SearchError {
    throw inputError(e)
  } catch let e as BenchmarkError {
    throw inputError(e)
  } catch let e as ProxyError {
    throw inputError(e)
  } catch let e as ModelError {
    throw inputError(e)
  }
}

private func inputError(_ e: CustomStringConvertible) -> ExitCode {
  printErr("error: \(e)")
  return ExitCode(2)
}

/// Reads one config from a JSON file (or JSONL's first line), with file-named errors.
func readConfig(path: String) throws -> any ArchitectureConfig {
  guard let data = FileManager.default.contents(atPath: path) else {
    throw ConfigError(file: path, field: "(file)", value: path, rule: "cannot be read")
  }
  return try ConfigRegistry.decode(data, file: path)
}
