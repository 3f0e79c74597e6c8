using System.Diagnostics.Metrics;

namespace GridActors.Testing;

/// <summary>Sums the measurements of one meter's counters, by instrument name.</summary>
public sealed class MeterRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, long> _sums = [];

    public MeterRecorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == meter)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            lock (_sums)
            {
                _sums[instrument.Name] = _sums.GetValueOrDefault(instrument.Name) + value;
            }
        });
        _listener.Start();
    }

    public long this[string name]
    {
        get
        {
            lock (_sums)
            {
                return _sums.GetValueOrDefault(name);
            }
        }
    }

    public void Dispose() => _listener.Dispose();
}
