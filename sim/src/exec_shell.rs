//! The small shell a simulated container runs for `pods/exec`: a line editor (with the echo a
//! TTY gives), a few builtins and the exit codes a POSIX shell gives. Pure: bytes in, bytes out.

use serde_json::Value;

/// What a container image has on its `$PATH`, as far as the demo cluster tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Image {
    /// Distroless: no shell at all (control-plane images, pause).
    NoShell,
    /// Busybox or Alpine based: `sh` only.
    ShOnly,
    /// Debian based: `sh` and `bash`.
    Bash,
}

impl Image {
    /// Classifies an image reference.
    pub fn of(image: &str) -> Self {
        const DISTROLESS: [&str; 7] = [
            "kube-apiserver",
            "kube-controller-manager",
            "kube-scheduler",
            "etcd",
            "coredns",
            "metrics-server",
            "pause",
        ];
        let repo = image.split([':', '@']).next().unwrap_or(image);
        let last = repo.rsplit('/').next().unwrap_or(repo);
        if image.contains("distroless") || (repo.starts_with("registry.k8s.io/") && DISTROLESS.contains(&last)) {
            Image::NoShell
        } else if [
            "busybox",
            "alpine",
            "prometheus",
            "node-exporter",
            "grafana",
            "controller",
        ]
        .iter()
        .any(|b| last.contains(b))
        {
            Image::ShOnly
        } else {
            Image::Bash
        }
    }

    /// Whether the executable exists in the image.
    pub fn has(self, exe: &str) -> bool {
        let base = exe.rsplit('/').next().unwrap_or(exe);
        match self {
            Image::NoShell => false,
            Image::ShOnly => base != "bash" && BINARIES.contains(&base),
            Image::Bash => BINARIES.contains(&base),
        }
    }
}

/// Executables of a simulated image with a shell: the shells and the builtins run as programs.
const BINARIES: [&str; 14] = [
    "sh", "bash", "echo", "ls", "cat", "env", "hostname", "pwd", "ps", "true", "false", "stty", "uname", "id",
];

/// Where a shell runs: the pod and container it pretends to be in.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// Pod name (the container's hostname).
    pub pod: String,
    /// Image classification.
    pub image: Image,
    /// `env` of the container spec (literal values only) as NAME=value.
    pub env: Vec<String>,
    /// The container's main command, for `ps`.
    pub main: String,
}

impl Ctx {
    /// The context of a container in a pod object.
    pub fn of(pod: &Value, c: &Value) -> Self {
        let env = c["env"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| Some(format!("{}={}", e["name"].as_str()?, e["value"].as_str()?)))
            .collect();
        let image = c["image"].as_str().unwrap_or_default();
        let main = c["command"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" "))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| {
                image
                    .rsplit('/')
                    .next()
                    .unwrap_or(image)
                    .split(':')
                    .next()
                    .unwrap_or("")
                    .into()
            });
        Ctx {
            pod: pod["metadata"]["name"].as_str().unwrap_or_default().into(),
            image: Image::of(image),
            env,
            main,
        }
    }
}

/// What the shell wrote for one input.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Output {
    /// Bytes for the stdout channel.
    pub stdout: Vec<u8>,
    /// Bytes for the stderr channel (merged into stdout on a TTY, as a terminal does).
    pub stderr: Vec<u8>,
    /// Set when the shell exited, with its code.
    pub exit: Option<i32>,
}

/// An interactive shell (or a one-shot program) in a simulated container.
#[derive(Debug)]
pub struct Shell {
    ctx: Ctx,
    name: &'static str,
    tty: bool,
    line: Vec<u8>,
    cwd: String,
    last: i32,
    size: (u16, u16),
}

impl Shell {
    /// A shell named `exe` (`bash` or `sh`), with or without a TTY.
    pub fn new(ctx: Ctx, exe: &str, tty: bool) -> Self {
        let name = if exe.ends_with("bash") { "bash" } else { "sh" };
        Shell {
            ctx,
            name,
            tty,
            line: Vec::new(),
            cwd: "/".into(),
            last: 0,
            size: (80, 24),
        }
    }

    /// The terminal size from a resize message (columns, rows).
    pub fn resize(&mut self, width: u16, height: u16) {
        self.size = (width, height);
    }

    /// The first prompt (a TTY only: a shell without one prints none).
    pub fn start(&self) -> Output {
        Output {
            stdout: self.prompt(),
            ..Output::default()
        }
    }

    fn prompt(&self) -> Vec<u8> {
        if !self.tty {
            return Vec::new();
        }
        match self.name {
            "bash" => format!("root@{}:{}# ", self.ctx.pod, self.cwd).into_bytes(),
            _ => format!("{} # ", self.cwd).into_bytes(),
        }
    }

    fn nl(&self) -> &'static str {
        if self.tty { "\r\n" } else { "\n" }
    }

    /// Feeds stdin bytes; runs each complete line.
    pub fn feed(&mut self, bytes: &[u8]) -> Output {
        let mut out = Output::default();
        for &b in bytes {
            match b {
                b'\r' | b'\n' if self.tty || b == b'\n' => {
                    if self.tty {
                        out.stdout.extend_from_slice(b"\r\n");
                    }
                    let line = String::from_utf8_lossy(&std::mem::take(&mut self.line)).into_owned();
                    let (o, e, exit) = self.run_line(&line);
                    out.stdout.extend(o);
                    if self.tty { &mut out.stdout } else { &mut out.stderr }.extend(e);
                    if let Some(code) = exit {
                        out.exit = Some(code);
                        return out;
                    }
                    out.stdout.extend(self.prompt());
                }
                0x04 if self.tty && self.line.is_empty() => {
                    out.stdout.extend_from_slice(b"exit\r\n");
                    out.exit = Some(self.last);
                    return out;
                }
                0x03 if self.tty => {
                    self.line.clear();
                    out.stdout.extend_from_slice(b"^C\r\n");
                    self.last = 130;
                    out.stdout.extend(self.prompt());
                }
                0x7f | 0x08 if self.tty => {
                    if self.line.pop().is_some() {
                        out.stdout.extend_from_slice(b"\x08 \x08");
                    }
                }
                _ => {
                    self.line.push(b);
                    if self.tty {
                        out.stdout.push(b);
                    }
                }
            }
        }
        out
    }

    /// Stdin ended (EOF, or v5's close of the stdin stream): a shell exits with its last status.
    pub fn eof(&mut self) -> Output {
        let mut out = Output::default();
        if !self.line.is_empty() {
            let line = String::from_utf8_lossy(&std::mem::take(&mut self.line)).into_owned();
            let (o, e, exit) = self.run_line(&line);
            out.stdout = o;
            out.stderr = e;
            if exit.is_some() {
                out.exit = exit;
                return out;
            }
        }
        out.exit = Some(self.last);
        out
    }

    /// Runs a `-c` script: its lines in turn, the exit status of the last (or of `exit`).
    pub fn script(&mut self, script: &str) -> Output {
        let mut out = Output::default();
        for line in script.split(['\n', ';']) {
            let (o, e, exit) = self.run_line(line);
            out.stdout.extend(o);
            out.stderr.extend(e);
            if exit.is_some() {
                out.exit = exit;
                return out;
            }
        }
        out.exit = Some(self.last);
        out
    }

    /// Runs one command line: (stdout, stderr, exit when the shell ends).
    fn run_line(&mut self, line: &str) -> (Vec<u8>, Vec<u8>, Option<i32>) {
        let words = split_words(line, self.last, &self.ctx.pod);
        let Some((cmd, args)) = words.split_first() else {
            return (Vec::new(), Vec::new(), None);
        };
        if cmd == "exit" {
            let code = args.first().map_or(Some(self.last), |a| a.parse::<i32>().ok());
            return match code {
                Some(c) => (Vec::new(), Vec::new(), Some(c & 0xff)),
                None => {
                    let e = format!(
                        "{}: exit: {}: numeric argument required{}",
                        self.name,
                        args[0],
                        self.nl()
                    );
                    (Vec::new(), e.into_bytes(), Some(2))
                }
            };
        }
        let (code, o, e) = self.builtin(cmd, args);
        self.last = code;
        let nl = self.nl();
        let fix = |s: String| if nl == "\n" { s } else { s.replace('\n', nl) };
        (fix(o).into_bytes(), fix(e).into_bytes(), None)
    }

    /// A command as a program run once (exec of `echo hi` rather than of a shell).
    pub fn program(&mut self, argv: &[String]) -> Output {
        let (code, o, e) = self.builtin(&argv[0], &argv[1..]);
        Output {
            stdout: o.into_bytes(),
            stderr: e.into_bytes(),
            exit: Some(code),
        }
    }

    fn builtin(&mut self, cmd: &str, args: &[String]) -> (i32, String, String) {
        let ok = |s: String| (0, s, String::new());
        let base = cmd.rsplit('/').next().unwrap_or(cmd);
        match base {
            "echo" => ok(format!("{}\n", args.join(" "))),
            "pwd" => ok(format!("{}\n", self.cwd)),
            "cd" => match args.first().map(String::as_str).unwrap_or("/root") {
                d if dir_listing(&absolute(&self.cwd, d)).is_some() => {
                    self.cwd = absolute(&self.cwd, d);
                    ok(String::new())
                }
                d => (
                    1,
                    String::new(),
                    format!("{}: cd: {d}: No such file or directory\n", self.name),
                ),
            },
            "hostname" => ok(format!("{}\n", self.ctx.pod)),
            "true" => ok(String::new()),
            "false" => (1, String::new(), String::new()),
            "id" => ok("uid=0(root) gid=0(root) groups=0(root)\n".into()),
            "uname" => ok("Linux\n".into()),
            "stty" if args.first().is_some_and(|a| a == "size") => ok(format!("{} {}\n", self.size.1, self.size.0)),
            "env" => ok(self.env().join("\n") + "\n"),
            "ps" => ok(format!(
                "PID   USER     TIME  COMMAND\n    1 root      0:00 {}\n   42 root      0:00 {}\n   57 root      0:00 ps\n",
                self.ctx.main, self.name
            )),
            "ls" => {
                let dir = absolute(&self.cwd, args.first().map_or(".", String::as_str));
                match dir_listing(&dir) {
                    Some(l) => ok(format!("{}\n", l.join("  "))),
                    None => (
                        2,
                        String::new(),
                        format!("ls: cannot access '{dir}': No such file or directory\n"),
                    ),
                }
            }
            "cat" => {
                let mut o = String::new();
                let mut e = String::new();
                for f in args {
                    match self.file(&absolute(&self.cwd, f)) {
                        Some(text) => o.push_str(&text),
                        None => e.push_str(&format!("cat: {f}: No such file or directory\n")),
                    }
                }
                (i32::from(!e.is_empty()), o, e)
            }
            _ if self.name == "bash" => (127, String::new(), format!("bash: {cmd}: command not found\n")),
            _ => (127, String::new(), format!("sh: 1: {cmd}: not found\n")),
        }
    }

    fn env(&self) -> Vec<String> {
        let mut env = vec![
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string(),
            format!("HOSTNAME={}", self.ctx.pod),
            "HOME=/root".into(),
        ];
        if self.tty {
            env.push("TERM=xterm".into());
        }
        env.extend(self.ctx.env.iter().cloned());
        env.push("KUBERNETES_SERVICE_HOST=10.96.0.1".into());
        env.push("KUBERNETES_SERVICE_PORT=443".into());
        env
    }

    fn file(&self, path: &str) -> Option<String> {
        match path {
            "/etc/hostname" => Some(format!("{}\n", self.ctx.pod)),
            "/etc/os-release" if self.ctx.image == Image::ShOnly => {
                Some("NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.21.3\nPRETTY_NAME=\"Alpine Linux v3.21\"\n".into())
            }
            "/etc/os-release" => Some(
                "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n"
                    .into(),
            ),
            "/etc/resolv.conf" => Some("search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n".into()),
            _ => None,
        }
    }
}

fn absolute(cwd: &str, p: &str) -> String {
    let joined = if p.starts_with('/') {
        p.to_string()
    } else {
        format!("{cwd}/{p}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for s in joined.split('/') {
        match s {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    format!("/{}", parts.join("/"))
}

fn dir_listing(dir: &str) -> Option<&'static [&'static str]> {
    Some(match dir {
        "/" => &[
            "bin", "dev", "etc", "home", "lib", "proc", "root", "sys", "tmp", "usr", "var",
        ],
        "/etc" => &["hostname", "hosts", "os-release", "passwd", "resolv.conf"],
        "/root" | "/tmp" | "/home" => &[],
        "/bin" => &BINARIES,
        _ => return None,
    })
}

/// Splits a command line into words: single and double quotes, `$?` and `$HOSTNAME` expanded.
fn split_words(line: &str, last: i32, host: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for ch in line.chars() {
        match (quote, ch) {
            (None, '\'' | '"') => {
                quote = Some(ch);
                any = true;
            }
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if any {
                    words.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            (_, c) => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        words.push(cur);
    }
    words
        .into_iter()
        .map(|w| w.replace("$?", &last.to_string()).replace("$HOSTNAME", host))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(image: &str) -> Ctx {
        let pod = serde_json::json!({"metadata": {"name": "web-1"}});
        let c = serde_json::json!({"name": "web", "image": image, "env": [{"name": "MODE", "value": "demo"}]});
        Ctx::of(&pod, &c)
    }

    #[test]
    fn images_have_the_shells_their_base_has() {
        assert_eq!(Image::of("registry.k8s.io/kube-apiserver:v1.33.4"), Image::NoShell);
        assert_eq!(Image::of("docker.io/library/busybox:1.37"), Image::ShOnly);
        assert_eq!(Image::of("docker.io/library/nginx:1.27"), Image::Bash);
        assert!(!Image::ShOnly.has("/bin/bash") && Image::ShOnly.has("/bin/sh"));
        assert!(!Image::Bash.has("vim"));
    }

    #[test]
    fn a_tty_echoes_input_and_runs_lines() {
        let mut sh = Shell::new(ctx("nginx:1.27"), "bash", true);
        assert_eq!(sh.start().stdout, b"root@web-1:/# ");
        let out = sh.feed(b"echo hi\r");
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            "echo hi\r\nhi\r\nroot@web-1:/# "
        );
        let out = sh.feed(b"nope\r");
        assert!(String::from_utf8_lossy(&out.stdout).contains("bash: nope: command not found\r\n"));
        let out = sh.feed(b"echo $?\rexit 3\r");
        assert!(String::from_utf8_lossy(&out.stdout).contains("127\r\n"));
        assert_eq!(out.exit, Some(3));
    }

    #[test]
    fn without_a_tty_there_is_no_echo_nor_prompt_and_errors_go_to_stderr() {
        let mut sh = Shell::new(ctx("busybox:1.37"), "sh", false);
        assert!(sh.start().stdout.is_empty());
        let out = sh.feed(b"cat /etc/hostname /nope\n");
        assert_eq!(out.stdout, b"web-1\n");
        assert_eq!(out.stderr, b"cat: /nope: No such file or directory\n");
        assert_eq!(sh.eof().exit, Some(1));
        let out = Shell::new(ctx("busybox:1.37"), "sh", false).script("env");
        assert!(String::from_utf8_lossy(&out.stdout).contains("MODE=demo\n"));
    }

    #[test]
    fn resize_changes_what_stty_reports_and_line_editing_works() {
        let mut sh = Shell::new(ctx("nginx:1.27"), "sh", true);
        sh.resize(120, 40);
        let out = sh.feed(b"stty sizX\x7fe\r");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(text.contains("\x08 \x08") && text.contains("40 120\r\n"), "{text:?}");
        assert_eq!(sh.feed(b"\x04").exit, Some(0));
    }
}
