using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace Fusis.Commands.Tests;

/// <summary>
/// A non-interactive host that keeps every line written to it: what -WhatIf prints goes to the host, not to a
/// stream, so only a host can show it.
/// </summary>
internal sealed class RecordingHost : PSHost
{
    private readonly RecordingUserInterface _ui = new();

    public IReadOnlyList<string> Lines => _ui.Lines;

    public override string Name => "Fusis.Commands.Tests";

    public override Version Version { get; } = new(1, 0);

    public override Guid InstanceId { get; } = Guid.NewGuid();

    public override PSHostUserInterface UI => _ui;

    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;

    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;

    public void Clear() => _ui.Clear();

    public override void SetShouldExit(int exitCode)
    {
    }

    public override void EnterNestedPrompt() => throw new NotSupportedException();

    public override void ExitNestedPrompt() => throw new NotSupportedException();

    public override void NotifyBeginApplication()
    {
    }

    public override void NotifyEndApplication()
    {
    }

    private sealed class RecordingUserInterface : PSHostUserInterface
    {
        private readonly List<string> _lines = [];
        private readonly System.Text.StringBuilder _partial = new();

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public override PSHostRawUserInterface? RawUI => null;

        public void Clear()
        {
            lock (_lines)
            {
                _lines.Clear();
            }
        }

        public override void Write(string value) => _partial.Append(value);

        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Write(value);

        public override void WriteLine(string value)
        {
            lock (_lines)
            {
                _lines.Add(_partial.Append(value).ToString());
            }

            _partial.Clear();
        }

        public override void WriteErrorLine(string value) => WriteLine(value);

        public override void WriteDebugLine(string message) => WriteLine(message);

        public override void WriteProgress(long sourceId, ProgressRecord record)
        {
        }

        public override void WriteVerboseLine(string message) => WriteLine(message);

        public override void WriteWarningLine(string message) => WriteLine(message);

        // A test never answers: anything that asks is a test that forgot -Confirm:$false.
        public override string ReadLine() => throw new NotSupportedException("the test host is not interactive");

        public override SecureString ReadLineAsSecureString() => throw new NotSupportedException("the test host is not interactive");

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) =>
            throw new NotSupportedException("the test host is not interactive");

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
            throw new NotSupportedException("the test host is not interactive");

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) =>
            throw new NotSupportedException("the test host is not interactive");

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) =>
            throw new NotSupportedException("the test host is not interactive");
    }
}
