import Foundation
import Testing

/// End-to-end tests of the `lts` executable: what a user types, what they get back (stdout, stderr,
/// exit codes, files). Models are tiny so that every run takes well under a second of compute.
@Suite(.serialized) struct CLITests {
  @Test func helpListsSubcommandsAndVersion() throws {
    let help = try CLI.run(["--help"])
    #expect(help.status == 0)
    for sub in ["search", "measure", "score", "rank", "bench"] { #expect(help.stdout.contains(sub), "\(sub) missing from --help") }
    let v = try CLI.run(["--version"])
    #expect(v.status == 0)
    #expect(v.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
    let bench = try CLI.run(["bench", "--help"])
    for sub in ["gemm", "forward", "proxies"] { #expect(bench.stdout.contains(sub)) }
  }

  @Test func measureJSONHasEveryField() throws {
    let dir = CLI.tempDir("measure")
    let cfg = try CLI.write(#"{"backbone":"gpt2","n_layer":2,"d_model":32,"d_inner":[64,96],"n_head":[2,4],"vocab_size":300,"n_positions":24}"#, dir, "c.json")
    let r = try CLI.run(["measure", "--config", cfg, "--json", "--seq-len", "16", "--repeats", "3", "--threads", "1"])
    #expect(r.status == 0, "\(r.stderr)")
    let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    for k in ["latency_ms", "latency_spread_ms", "peak_memory_mb", "param_memory_mb", "rss_mb", "threads", "seq_len", "batch"] {
      #expect(obj[k] != nil, "missing \(k)")
    }
    #expect(obj["seq_len"] as? Int == 16)
    #expect(obj["threads"] as? Int == 1)
    #expect((obj["latency_ms"] as? Double ?? 0) > 0)
    #expect((obj["peak_memory_mb"] as? Double ?? 0) > 0)
    // Parameters: 300·32 + 24·32 + decoder (closed form) floats.
    let decoder = 2 * 32 + [64, 96].reduce(0) { $0 + 4 * 32 * 32 + 9 * 32 + 2 * 32 * $1 + $1 }
    let params = Double(300 * 32 + 24 * 32 + decoder) * 4 / 1_048_576
    #expect(abs((obj["param_memory_mb"] as? Double ?? 0) - params) < 1e-9)
  }

  @Test func peakMemoryIsExactlyRepeatable() throws {
    let dir = CLI.tempDir("repeat")
    let cfg = try CLI.write(#"{"backbone":"gpt2","n_layer":1,"d_model":32,"d_inner":64,"n_head":2,"vocab_size":200,"n_positions":16}"#, dir, "c.json")
    let a = try CLI.run(["measure", "--config", cfg, "--json", "--seq-len", "16", "--repeats", "1"])
    let b = try CLI.run(["measure", "--config", cfg, "--json", "--seq-len", "16", "--repeats", "1"])
    func peak(_ r: CLI.Result) -> Double? { (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])?["peak_memory_mb"] as? Double }
    #expect(peak(a) != nil && peak(a) == peak(b))
  }

  @Test func invalidConfigIsOneLineErrorWithExitCode2() throws {
    let dir = CLI.tempDir("bad")
    let cfg = try CLI.write(#"{"backbone":"gpt2","n_layer":2,"d_model":30,"d_inner":[64,64],"n_head":[4,2],"vocab_size":300}"#, dir, "bad.json")
    let r = try CLI.run(["measure", "--config", cfg])
    #expect(r.status == 2)
    let msg = r.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(!msg.contains("\n"), "expected one line, got: \(msg)")
    #expect(msg.contains("bad.json") && msg.contains("n_head[0]") && msg.contains("divide d_model"))
    let typo = try CLI.write(#"{"backbone":"gpt2","n_layers":2,"d_model":32,"d_inner":64,"n_head":2}"#, dir, "typo.json")
    let t = try CLI.run(["measure", "--config", typo])
    #expect(t.status == 2)
    #expect(t.stderr.contains("n_layers"))
  }

  @Test func searchWritesFrontReportAndCandidates() throws {
    let dir = CLI.tempDir("search")
    let space = try CLI.write(CLI.tinySpace, dir, "space.yaml")
    let out = (dir as NSString).appendingPathComponent("run")
    let r = try CLI.run(["search", "--space", space, "--seq-len", "16", "--population", "6", "--parents", "2",
                         "--mutations", "3", "--crossovers", "3", "--iterations", "2", "--repeats", "1", "-o", out])
    #expect(r.status == 0, "\(r.stderr)")
    let lines = CLI.lines(out + "/candidates.jsonl")
    #expect(lines.count >= 6 && lines.count <= 18)
    let pareto = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/pareto.json"))) as? [String: Any])
    let front = try #require(pareto["front"] as? [[String: Any]])
    #expect(!front.isEmpty)
    for f in front {
      #expect(f["decoder_params"] is Double && f["latency_ms"] is Double && f["memory_mb"] is Double)
      let id = try #require(f["arch_id"] as? String)
      #expect(FileManager.default.fileExists(atPath: out + "/frontier/\(id).json"))
    }
    let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
    // Two scatter plots, one circle per candidate in each.
    #expect(html.components(separatedBy: "<circle class=\"pt").count - 1 == 2 * lines.count)
    #expect(html.components(separatedBy: "class=\"pt front\"").count - 1 == 2 * front.count)
    #expect(r.stdout.contains("Pareto front") && r.stdout.contains("report.html"))
  }

  @Test func stoppedSearchResumesWithoutRemeasuring() throws {
    let dir = CLI.tempDir("resume")
    let space = try CLI.write(CLI.tinySpace, dir, "space.yaml")
    let out = (dir as NSString).appendingPathComponent("run")
    let args = ["--space", space, "--seq-len", "16", "--population", "5", "--parents", "2", "--mutations", "2",
                "--crossovers", "2", "--repeats", "1"]
    let first = try CLI.run(["search"] + args + ["--iterations", "3", "--max-candidates", "7", "-o", out])
    #expect(first.status == 0, "\(first.stderr)")
    let before = CLI.lines(out + "/candidates.jsonl")
    #expect(before.count == 7)
    let second = try CLI.run(["search", "--resume", out, "--iterations", "3"])
    #expect(second.status == 0, "\(second.stderr)")
    let after = CLI.lines(out + "/candidates.jsonl")
    #expect(after.count > before.count)
    #expect(Array(after.prefix(before.count)) == before, "earlier candidates must be kept byte for byte")
    let ids = after.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["arch_id"] as? String }
    #expect(Set(ids).count == ids.count, "a candidate was measured twice")
  }

  @Test func killedSearchResumes() throws {
    let dir = CLI.tempDir("kill")
    let space = try CLI.write(CLI.tinySpace, dir, "space.yaml")
    let out = (dir as NSString).appendingPathComponent("run")
    // Slow each candidate down (many repeats) so the kill lands mid-search.
    let p = try CLI.start(["search", "--space", space, "--seq-len", "32", "--population", "6", "--parents", "2",
                           "--mutations", "3", "--crossovers", "3", "--iterations", "2", "--repeats", "40", "-o", out])
    let deadline = Date().addingTimeInterval(60)
    while CLI.lines(out + "/candidates.jsonl").count < 2 && Date() < deadline && p.process.isRunning { usleep(20_000) }
    kill(p.process.processIdentifier, SIGKILL)
    p.process.waitUntilExit()
    let before = CLI.lines(out + "/candidates.jsonl")
    #expect(before.count >= 2)
    let r = try CLI.run(["search", "--resume", out])
    #expect(r.status == 0, "\(r.stderr)")
    let after = CLI.lines(out + "/candidates.jsonl")
    #expect(after.count > before.count)
    #expect(Array(after.prefix(before.count)) == before)
    #expect(FileManager.default.fileExists(atPath: out + "/report.html"))
  }

  @Test func invalidSpaceFileFailsBeforeAnyOutput() throws {
    let dir = CLI.tempDir("space")
    let space = try CLI.write(CLI.tinySpace.replacingOccurrences(of: "{min: 32, max: 96, step: 32}", with: "{min: 96, max: 32, step: 32}"), dir, "bad.yaml")
    let out = (dir as NSString).appendingPathComponent("run")
    let r = try CLI.run(["search", "--space", space, "-o", out])
    #expect(r.status == 2)
    #expect(r.stderr.contains("bad.yaml") && r.stderr.contains("d_model"))
    #expect(!FileManager.default.fileExists(atPath: out))
  }

  @Test func unwritableOutputFailsBeforeWork() throws {
    let dir = CLI.tempDir("ro")
    let space = try CLI.write(CLI.tinySpace, dir, "space.yaml")
    let blocker = try CLI.write("not a directory", dir, "file")
    let r = try CLI.run(["search", "--space", space, "-o", blocker + "/run"])
    #expect(r.status != 0)
    #expect(r.stderr.contains("not writable") || r.stderr.contains("directory"))
    #expect(!r.stderr.contains("candidates"))
  }

  @Test func impossibleConstraintShowsClosestCandidates() throws {
    let dir = CLI.tempDir("constraint")
    let space = try CLI.write(CLI.tinySpace, dir, "space.yaml")
    let out = (dir as NSString).appendingPathComponent("run")
    let r = try CLI.run(["search", "--space", space, "--seq-len", "16", "--population", "4", "--iterations", "0",
                         "--repeats", "1", "--max-latency", "0.000001", "-o", out])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("No candidate meets the constraints"))
    #expect(r.stdout.contains("violation"))
  }
}
