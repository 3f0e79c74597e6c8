using System.Diagnostics;
using GridActors.Runtime.Activation;
using GridActors.Runtime.Diagnostics;
using Microsoft.Extensions.Options;

namespace GridActors.Runtime.Messaging;

/// <summary>
/// Routes grain calls to activations. In an embedded silo every grain is activated locally; the
/// cluster transport routes calls for grains placed on other silos before they reach this point.
/// </summary>
internal sealed class MessageCenter(Catalog catalog, TimeProvider timeProvider, IOptions<MessagingOptions> options, GridTelemetry telemetry) : IGrainCallInvoker
{
    private static readonly Task<object?> Sent = Task.FromResult<object?>(null);
    private readonly TimeSpan _responseTimeout = options.Value.ResponseTimeout;

    public Task<object?> InvokeAsync(GrainId target, GrainMethod method, object?[]? arguments)
    {
        var caller = Activity.Current;
        var activity = GridTelemetry.Source.StartActivity(method.Name, ActivityKind.Internal);
        activity?.SetTag("gridactors.grain", target.ToString());
        telemetry.GrainCalls.Add(1);
        var message = Message.Call(method, arguments);
        Deliver(target, message);
        if (message.Completion is null)
        {
            activity?.Dispose();
            return Sent;
        }

        // The span ends with the response; meanwhile the caller's own span stays its current one.
        Activity.Current = caller;
        return AwaitResponse(target, method, message.Completion.Task, activity);
    }

    private void Deliver(GrainId target, Message message)
    {
        // An activation refuses messages only once it is leaving the catalog, so the next lookup finds a new one.
        while (!catalog.GetOrCreate(target).TryEnqueue(message))
        {
        }
    }

    private async Task<object?> AwaitResponse(GrainId target, GrainMethod method, Task<object?> response, Activity? activity)
    {
        try
        {
            return await response.WaitAsync(_responseTimeout, timeProvider).ConfigureAwait(false);
        }
        catch (TimeoutException exception)
        {
            throw new GrainCallException($"{method.Name} on grain {target} did not answer within {_responseTimeout.TotalSeconds:0.###} s.", exception);
        }
        finally
        {
            activity?.Dispose();
        }
    }
}
