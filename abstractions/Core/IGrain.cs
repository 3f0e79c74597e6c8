namespace GridActors;

/// <summary>Marker for grain interfaces. Every method of a grain interface returns <see cref="Task"/> or <see cref="Task{TResult}"/>.</summary>
public interface IGrain;

/// <summary>A grain addressed by a string key, such as a task id or "taskId/itemIndex".</summary>
public interface IGrainWithStringKey : IGrain;
