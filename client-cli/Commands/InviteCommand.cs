using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using GridActors.Cli.Output;
using GridActors.Cli.Submission;
using GridActors.Grid;

namespace GridActors.Cli.Commands;

/// <summary>
/// `grid invite`: links that let browsers into the grid without its secret. A volunteer link lets a
/// tab run jobs and nothing else; a dashboard link (--dashboard) lets it watch, read-only.
/// </summary>
internal static class InviteCommand
{
    public static Command Create()
    {
        var dashboard = new Option<bool>("--dashboard") { Description = "Make a read-only dashboard link instead of a volunteer link." };
        var label = new Option<string?>("--label") { Description = "Who or what the link is for, shown by --list.", HelpName = "TEXT" };
        var list = new Option<bool>("--list") { Description = "List the keys that have not been revoked, with how many browsers each has connected." };
        var revoke = new Option<string?>("--revoke") { Description = "Revoke a key: its links stop working, its connected browsers are dropped at once and their jobs run elsewhere.", HelpName = "KEY" };
        var json = new Option<bool>("--json") { Description = "Print JSON, for scripts." };
        var grid = new GridOptionSet("The silo to ask.", "Find a live silo of the grid in this Redis.");
        var command = new Command(
            "invite",
            "Make a link that lets a browser volunteer for the grid (open it, press the button: the tab runs jobs in Web Workers) without the cluster secret; or, with --dashboard, watch the grid read-only. --list shows the keys, --revoke KEY withdraws one.")
        {
            dashboard, label, list, revoke, json,
        };
        grid.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var stderr = Console.Error;
            var revoked = result.GetValue(revoke);
            if (result.GetValue(list) && revoked is not null)
            {
                await stderr.WriteLineAsync("grid: give --list or --revoke KEY, not both.");
                return ExitCodes.Usage;
            }

            if (revoked is not null && string.IsNullOrWhiteSpace(revoked))
            {
                await stderr.WriteLineAsync("grid: --revoke needs the key to revoke (grid invite --list shows them).");
                return ExitCodes.Usage;
            }

            return await RemoteCommand.RunAsync("invite", grid.Resolve(result, stderr), stderr, async link =>
            {
                if (revoked is not null)
                {
                    return await RevokeAsync(link, revoked.Trim(), stderr, cancellationToken);
                }

                var silos = await link.CallAsync(g => g.GetGrain<IGridGrain>(IGridGrain.Key).GetSilosAsync(), cancellationToken);
                if (result.GetValue(list))
                {
                    return await ListAsync(link, silos, result.GetValue(json), cancellationToken);
                }

                var kind = result.GetValue(dashboard) ? InvitationKind.Dashboard : InvitationKind.Volunteer;
                var invitation = await link.CallAsync(g => g.GetGrain<IInvitationsGrain>(IInvitationsGrain.Key).CreateAsync(kind, result.GetValue(label) ?? string.Empty), cancellationToken);
                var urls = silos.Where(s => s.Status == "Active" && s.Http.Length > 0).Select(s => invitation.LinkAt(s.Http)).ToList();
                if (result.GetValue(json))
                {
                    await Console.Out.WriteLineAsync(JsonSerializer.Serialize(new InvitationView(invitation.Key, invitation.KindName, invitation.Label, invitation.Created, 0, urls), CliJsonContext.Default.InvitationView));
                    return ExitCodes.Success;
                }

                if (urls.Count == 0)
                {
                    await Console.Out.WriteLineAsync(invitation.Key);
                    await stderr.WriteLineAsync($"grid: made key {invitation.Key}, but no silo published its HTTP address; open {invitation.LinkAt("http://SILO:HTTP-PORT")}.");
                    return ExitCodes.Success;
                }

                await Console.Out.WriteLineAsync(urls[0]);
                var what = kind == InvitationKind.Volunteer
                    ? "a browser that opens it can run jobs and nothing else"
                    : "a browser that opens it can watch the dashboard, read-only";
                await stderr.WriteLineAsync($"grid: {what}. The key works on every silo{(urls.Count > 1 ? $" ({string.Join(", ", urls.Skip(1))})" : string.Empty)}; grid invite --revoke {invitation.Key} withdraws it.");
                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RevokeAsync(GridLink link, string key, TextWriter stderr, CancellationToken cancellationToken)
    {
        var dropped = await link.CallAsync(g => g.GetGrain<IInvitationsGrain>(IInvitationsGrain.Key).RevokeAsync(key), cancellationToken);
        if (dropped < 0)
        {
            await stderr.WriteLineAsync($"grid: no key {key} is in use; grid invite --list shows the keys.");
            return ExitCodes.Usage;
        }

        await stderr.WriteLineAsync($"grid: revoked {key}; {dropped} connected {(dropped == 1 ? "browser was" : "browsers were")} dropped.");
        return ExitCodes.Success;
    }

    private static async Task<int> ListAsync(GridLink link, IReadOnlyList<SiloInfo> silos, bool json, CancellationToken cancellationToken)
    {
        var invitations = await link.CallAsync(g => g.GetGrain<IInvitationsGrain>(IInvitationsGrain.Key).ListAsync(), cancellationToken);
        var volunteers = await link.CallAsync(g => g.GetGrain<IGridGrain>(IGridGrain.Key).GetVolunteersAsync(), cancellationToken);
        var http = silos.Where(s => s.Status == "Active" && s.Http.Length > 0).Select(s => s.Http).FirstOrDefault();
        var views = invitations.Select(i => new InvitationView(
            i.Key, i.KindName, i.Label, i.Created,
            volunteers.Count(v => v.Stats?.Invitation == i.Key),
            http is null ? [] : [i.LinkAt(http)])).ToList();
        if (json)
        {
            await Console.Out.WriteLineAsync(JsonSerializer.Serialize(views, CliJsonContext.Default.ListInvitationView));
            return ExitCodes.Success;
        }

        var table = new Table("KEY", "KIND", "LABEL", "CREATED", "BROWSERS", "LINK");
        foreach (var v in views)
        {
            table.Add(v.Key, v.Kind, v.Label, v.Created.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), v.Browsers.ToString(CultureInfo.InvariantCulture), v.Links.FirstOrDefault() ?? "-");
        }

        table.WriteTo(Console.Out);
        return ExitCodes.Success;
    }

}

/// <summary>An invitation as grid invite shows it.</summary>
internal sealed record InvitationView(string Key, string Kind, string Label, DateTimeOffset Created, int Browsers, IReadOnlyList<string> Links);
